from django.urls import path

from . import views

app_name = "health"
urlpatterns = [
    path("sante/<str:person_id>/<str:season_id>/", views.health_form, name="form"),
    path(
        "accompagnement/<str:person_id>/<str:season_id>/",
        views.accompaniment,
        name="accompaniment",
    ),
]
