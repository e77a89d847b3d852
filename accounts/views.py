from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .gate import family_required


@family_required
def dossier(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/dossier.html", {"family": request.family})
