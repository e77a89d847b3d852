from django.urls import path

from . import views

app_name = "waitlist"
urlpatterns = [
    path("", views.entries, name="entries"),
    path("rejoindre/", views.join, name="join"),
    path("<int:entry_id>/quitter/", views.leave, name="leave"),
    path("offrir-au-suivant/", views.offer_next, name="offer_next"),
]
