from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
]
