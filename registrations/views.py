from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.gate import approved_family_required


@approved_family_required
def register(request: HttpRequest) -> HttpResponse:
    return render(request, "registrations/register.html")


@approved_family_required
def cart(request: HttpRequest) -> HttpResponse:
    return render(request, "registrations/cart.html")


@approved_family_required
def checkout(request: HttpRequest) -> HttpResponse:
    return render(request, "registrations/cart.html")
