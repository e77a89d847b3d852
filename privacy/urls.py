from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("mes-donnees/", views.my_data, name="my_data"),
    path("mes-donnees/exports/", views.exports_status, name="exports_status"),
    path("mes-donnees/exporter/", views.request_export, name="request_export"),
    path(
        "mes-donnees/<str:token>/<str:fmt>/",
        views.download,
        name="download",
    ),
    path(
        "personnel/exports/<int:export_id>/<str:fmt>/",
        views.staff_download,
        name="staff_download",
    ),
    path("fermer-mon-compte/", views.close_account, name="close_account"),
    path("compte-ferme/", views.closed, name="closed"),
]
