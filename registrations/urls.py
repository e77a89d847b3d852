from django.urls import path

from . import family_views, views

app_name = "registrations"
urlpatterns = [
    path("", views.register, name="register"),
    path("panier/", views.cart, name="cart"),
    path("salle-d-attente/", views.waiting_room, name="waiting_room"),
    path("salle-d-attente/place/", views.waiting_room_status, name="waiting_room_status"),
    path("panier/badge/", views.cart_badge, name="cart_badge"),
    path("panier/retirer/<int:item_id>/", views.cart_remove, name="cart_remove"),
    path("panier/payer/", views.checkout, name="checkout"),
    path("commande/<uuid:public_id>/", views.order_detail, name="order_detail"),
    path("commande/<uuid:public_id>/payer/", views.pay_order, name="pay_order"),
    path("commande/<uuid:public_id>/annuler/", views.cancel_order, name="cancel_order"),
    path(
        "commande/<uuid:public_id>/paiement-simule/",
        views.simulated_payment,
        name="simulated_payment",
    ),
    path(
        "dossier/annuler/<int:registration_id>/",
        family_views.cancel_line,
        name="cancel_line",
    ),
    path(
        "dossier/recus/<int:year>/<int:sequence>/",
        family_views.receipt,
        name="receipt",
    ),
    path(
        "dossier/recus/<int:year>/<int:sequence>.pdf",
        family_views.receipt_download,
        name="receipt_pdf",
    ),
    path("dossier/etat-de-compte/", family_views.statement, name="statement"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("liste/<int:group_id>.csv", views.roster_csv, name="roster_csv"),
]
