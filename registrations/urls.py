from django.urls import path

from . import views

app_name = "registrations"
urlpatterns = [
    path("", views.register, name="register"),
    path("panier/", views.cart, name="cart"),
    path("panier/payer/", views.checkout, name="checkout"),
]
