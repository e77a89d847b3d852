"""The one approval gate: every registration-side page and action goes through it."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Family


def current_family(request: HttpRequest) -> Family | None:
    if not request.user.is_authenticated:
        return None
    return getattr(request.user, "family", None)


def family_required(view: Callable) -> Callable:
    """Logged in with a family file (any status): sets ``request.family``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        family = current_family(request)
        if family is None:
            return render(request, "accounts/approval_required.html", {"family": None}, status=403)
        request.family = family
        return view(request, *args, **kwargs)

    return wrapper


def approved_family_required(view: Callable) -> Callable:
    """Logged in, with a family file that staff approved (invariant 3)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        family = current_family(request)
        if family is None or not family.is_approved:
            response = render(
                request, "accounts/approval_required.html", {"family": family}, status=403
            )
            if getattr(request, "htmx", False):
                # htmx does not swap error responses: send the browser to the full page.
                response["HX-Redirect"] = request.get_full_path()
            return response
        request.family = family
        return view(request, *args, **kwargs)

    return wrapper
