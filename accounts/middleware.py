"""A family that has not accepted the current privacy policy is asked to, before anything else."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from portal.middleware import path_info_of

from .services import must_accept_privacy_policy

# Pages open without accepting: the policy itself, the acceptance, logging out, the language,
# and the waiting room's refresh (it must cost no SQL; it shows only the session's own place).
OPEN_URL_NAMES = (
    "portal:privacy",
    "accounts:accept_policy",
    "account_logout",
    "set_language",
    "registrations:waiting_room_status",
)
OPEN_PREFIXES = ("/static/", "/admin/", "/healthz")


class PrivacyPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open: tuple[str, ...] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        # The path first: reading ``user`` loads it (a query), which open pages never need.
        if not self._is_open(request.path_info) and user is not None and user.is_authenticated:
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
            self._open = tuple(path_info_of(name) for name in OPEN_URL_NAMES)
        return path.startswith(OPEN_PREFIXES) or path in self._open
