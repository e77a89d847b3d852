from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.dossier, name="dossier"),
    path("confidentialite/", views.accept_policy, name="accept_policy"),
    path("courriels/<int:email_id>/renvoyer/", views.resend_email, name="resend_email"),
    path("en-attente/", views.pending, name="pending"),
    path("famille/", views.edit_family, name="edit_family"),
    path("personnes/ajouter/", views.add_person, name="add_person"),
    path("personnes/<int:person_id>/", views.edit_person, name="edit_person"),
    path("personnes/<int:person_id>/retirer/", views.remove_person, name="remove_person"),
]
