from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.gate import approved_family_required


@approved_family_required
def entries(request: HttpRequest) -> HttpResponse:
    return render(request, "waitlist/entries.html")
