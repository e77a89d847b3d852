"""Middleware of our own: a refusal raised by a service becomes a message on the page the
parent came from; response headers keep children's data out of shared caches and turn off
browser features the portal never uses."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import get_script_prefix, resolve, reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import DomainError

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "accelerometer=(), gyroscope=(), magnetometer=(), interest-cohort=()"
)
#: What the bare views answer with, whichever server sends them (``registrations.waiting_asgi``).
BARE_HEADERS = {"Cache-Control": "no-store, private", "Permissions-Policy": PERMISSIONS_POLICY}


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


def path_info_of(url_name: str) -> str:
    """A view's path below the site's prefix (``request.path_info``), for a middleware to
    find once: ``reverse()`` adds the prefix of a site served below a path (``/camps/``),
    which ``resolve()`` and ``path_info`` do not have."""
    return "/" + reverse(url_name).removeprefix(get_script_prefix())


class BareViewsMiddleware:
    """The few views named in ``settings.BARE_VIEWS`` (URL names) skip the rest of the stack:
    no session, user, CSRF, messages or CSP. They are GET-only, read no cookie, and answer a
    fragment; the waiting page's refresh is one, polled by every waiting family, and the
    rest of the stack would cost it more than its own work. Language comes from the cookie
    or the browser, as ``LocaleMiddleware`` would decide it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._views: dict[str, Callable] | None = None

    def views(self) -> dict[str, Callable]:
        if self._views is None:  # URLs are only known once the URLconf loads
            paths = [path_info_of(name) for name in settings.BARE_VIEWS]
            self._views = {path: resolve(path).func for path in paths}
        return self._views

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = self.views().get(request.path_info)
        if view is None:
            return self.get_response(request)
        with translation.override(translation.get_language_from_request(request)):
            response = view(request)
        for name, value in BARE_HEADERS.items():
            response.setdefault(name, value)
        return response


def safe_back_url(request: HttpRequest, default: str = "/") -> str:
    """Where the form was (``next``, else the referer), if it is a local URL."""
    target = request.POST.get("next") or request.headers.get("referer", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def refusal_goes_to(url_name: str):
    """Where a refused POST lands when the browser sent no referer (e.g. the cart)."""

    def mark(view):
        view.refusal_url_name = url_name
        return view

    return mark


class DomainErrorMiddleware:
    """Views let ``DomainError`` through; it is caught here, once, for every page."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        name = getattr(view_func, "refusal_url_name", None)
        request.refusal_url = reverse(name) if name else "/"

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, DomainError):
            return None
        messages.warning(request, exception.message)
        target = safe_back_url(request, default=getattr(request, "refusal_url", "/"))
        if request.method == "GET" and target.endswith(request.get_full_path()):
            target = "/"  # never back to the page that refused: no redirect loop
        if getattr(request, "htmx", False):
            # htmx would swap a redirect's page into a fragment: send the browser there.
            return HttpResponse(status=204, headers={"HX-Redirect": target})
        return HttpResponseRedirect(target)
