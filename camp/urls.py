from django.urls import path

from . import views

app_name = "camp"
urlpatterns = [
    path("presences/", views.attendance_home, name="attendance_home"),
    path("presences/<str:group_id>/feuille.pdf", views.sheet_pdf, name="sheet_pdf"),
    path("presences/<str:group_id>/<str:day>/", views.attendance, name="attendance"),
    path(
        "presences/<str:group_id>/<str:day>/<str:person_id>/",
        views.mark,
        name="mark",
    ),
]
