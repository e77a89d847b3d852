import logging
import os
import sys

from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)
# Seconds a browser or a proxy should wait before asking again while the database is down.
RETRY_AFTER_SECONDS = 30
# allauth counts attempts over a minute at most (its login and sign-up limits are per minute).
RATE_LIMIT_RETRY_SECONDS = 60


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy policy (Law 25): what, why, who sees it, how long, the person in charge."""
    from django.conf import settings

    return render(
        request,
        "portal/privacy.html",
        {
            "officer_title": settings.PRIVACY_OFFICER_TITLE,
            "officer_contact": settings.PRIVACY_OFFICER_CONTACT,
            "version": settings.PRIVACY_POLICY_VERSION,
            "health_months": settings.RETENTION_HEALTH_MONTHS,
            "unapproved_months": settings.RETENTION_UNAPPROVED_ACCOUNT_MONTHS,
            "waitlist_months": settings.RETENTION_WAITLIST_MONTHS,
            "email_days": settings.OUTBOX_BODY_RETENTION_DAYS,
            "financial_years": settings.RETENTION_FINANCIAL_YEARS,
            "access_log_months": settings.RETENTION_ACCESS_LOG_MONTHS,
            "export_hours": settings.PRIVACY_EXPORT_LINK_HOURS,
        },
    )


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and cache (Redis in production) answer: for load balancers and the benchmark.
    Public, so it says ok or error and nothing of the internals; the log has the details."""
    checks = {"database": "ok", "cache": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.warning("healthz: database unreachable", exc_info=True)
        checks["database"] = "error"
    try:
        cache.set("healthz", "ok", 5)
        if cache.get("healthz") != "ok":
            checks["cache"] = "error"
    except Exception:
        logger.warning("healthz: cache unreachable", exc_info=True)
        checks["cache"] = "error"
    healthy = set(checks.values()) == {"ok"}
    return JsonResponse(checks, status=200 if healthy else 503)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. A database outage is a 503 « come back in a moment » with Retry-After; any
    other error the 500 page. Both pages are bilingual and need neither the database nor the
    session (no request context): they must render while everything else is down."""
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        response = _error_page("503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return _error_page("500.html", status=500)


def too_many_requests(request: HttpRequest) -> HttpResponse:
    """handler429, which allauth's rate limits answer with (sign-in, sign-up, password reset):
    the portal's bilingual page, with Retry-After, instead of allauth's bare English one."""
    response = _error_page("429.html", status=429, retry_after=RATE_LIMIT_RETRY_SECONDS)
    response["Retry-After"] = str(RATE_LIMIT_RETRY_SECONDS)
    return response


def _error_page(
    template: str, *, status: int, retry_after: int = RETRY_AFTER_SECONDS
) -> HttpResponse:
    try:
        body = loader.get_template(template).render({"retry_after": retry_after})
    except Exception:  # the error page itself must never fail
        body = "<h1>Service indisponible / Service unavailable</h1>"
    response = HttpResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


_ceiling_bytes: bytes | None = None


def bench_ceiling(request: HttpRequest) -> HttpResponse:
    """The opening-night benchmark's ceiling: the catalogue's bytes, saved to
    BENCH_CEILING_FILE, served through the same middleware with no query and no template.
    Routed only when that variable is set (see portal/urls.py)."""
    global _ceiling_bytes
    if _ceiling_bytes is None:
        with open(os.environ["BENCH_CEILING_FILE"], "rb") as saved:
            _ceiling_bytes = saved.read()
    return HttpResponse(_ceiling_bytes, content_type="text/html; charset=utf-8")
