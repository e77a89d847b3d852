"""Response headers that keep children's data out of shared caches and turn off browser
features the portal never uses."""

from collections.abc import Callable

from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "accelerometer=(), gyroscope=(), magnetometer=(), interest-cohort=()"
)


class PrivacyHeadersMiddleware:
    """Every signed-in page may show a child's health notes: ``Cache-Control: no-store`` so no
    proxy, shared computer's back button or disk cache keeps it. Read from the session alone
    (no query), so it also holds on the error pages of an outage."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            patch_cache_control(response, no_store=True, private=True)
        return response
