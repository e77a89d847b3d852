from django.urls import path

from . import views

app_name = "finances"
urlpatterns = [
    path("dossier/releve-24/", views.tax_slips, name="tax_slips"),
    path("dossier/releve-24/<int:year>.pdf", views.tax_slip_pdf, name="tax_slip_pdf"),
    path("finances/releve-24/", views.rl24_export, name="rl24_export"),
    path("finances/journal/", views.journal, name="journal"),
]
