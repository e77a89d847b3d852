"""A refusal raised by a service becomes a message on the page the parent came from."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import DomainError


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
