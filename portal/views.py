import os

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and cache (Redis in production) answer: for load balancers and the benchmark."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        cache.set("healthz", "ok", 5)
        checks["cache"] = "ok" if cache.get("healthz") == "ok" else "error"
    except Exception as exc:
        checks["cache"] = f"error: {type(exc).__name__}"
    checks["redis_configured"] = bool(settings.REDIS_URL)
    healthy = checks["database"] == "ok" and checks["cache"] == "ok"
    return JsonResponse(checks, status=200 if healthy else 503)


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
