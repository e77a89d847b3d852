"""A family that has not accepted the current privacy policy is asked to, before anything else."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from .services import must_accept_privacy_policy

# Pages open without accepting: the policy itself, the acceptance, logging out, the language.
OPEN_URL_NAMES = ("portal:privacy", "accounts:accept_policy", "account_logout", "set_language")
OPEN_PREFIXES = ("/static/", "/admin/", "/healthz")


class PrivacyPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open: tuple[str, ...] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._is_open(request.path):
            family = getattr(user, "family", None)
            if must_accept_privacy_policy(family):
                url = reverse("accounts:accept_policy")
                if request.method == "GET":
                    url += "?" + urlencode({"next": request.get_full_path()})
                if request.headers.get("HX-Request"):  # htmx swaps no redirect: send the page
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = url
                    return response
                return HttpResponseRedirect(url)
        return self.get_response(request)

    def _is_open(self, path: str) -> bool:
        if self._open is None:
            self._open = tuple(reverse(name) for name in OPEN_URL_NAMES)
        return path.startswith(OPEN_PREFIXES) or path in self._open
