import gzip

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.vary import vary_on_headers

from .catalogue_cache import this_second
from .forms import CatalogueFilterForm
from .selectors import catalogue as catalogue_selector
from .selectors import catalogue_weeks_choices


@vary_on_headers("HX-Request", "Cookie", "Accept-Encoding")
def catalogue(request: HttpRequest) -> HttpResponse:
    """Public catalogue: anyone may browse. Filters are GET parameters (shareable URL); an htmx
    request gets only the results.

    On opening night everyone opens it at once: the results (and, for visitors with no
    session, the whole page, which then carries no per-visitor token) are rendered about
    once a second for all the web processes; see ``catalogue_cache.this_second``.
    """
    query, language = request.GET.urlencode(), get_language()
    results = this_second(("results", language, query), lambda: _results(request.GET))
    if request.htmx and not request.htmx.history_restore_request:
        return HttpResponse(results)
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        page, gzipped = this_second(
            ("page", language, query), lambda: _compressed(_public_page(request.GET, results))
        )
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            return HttpResponse(gzipped, headers={"Content-Encoding": "gzip"})
        return HttpResponse(page)
    return render(request, "activities/catalogue.html", _context(request.GET, results))


def _compressed(page: str) -> tuple[bytes, bytes]:
    """The page's bytes, plain and gzipped once (not once per visitor)."""
    raw = page.encode()
    return raw, gzip.compress(raw, compresslevel=5, mtime=0)


def _form(params: QueryDict) -> CatalogueFilterForm:
    return CatalogueFilterForm(params or None, weeks=catalogue_weeks_choices())


def _results(params: QueryDict) -> str:
    form = _form(params)
    weeks = catalogue_selector(**form.filters())
    return render_to_string("activities/_catalogue_results.html", {"form": form, "weeks": weeks})


def _context(params: QueryDict, results: str) -> dict:
    return {"form": _form(params), "results": mark_safe(results)}  # rendered by our template


def _public_page(params: QueryDict, results: str) -> str:
    """The page as any visitor without a session sees it: no request, so no CSRF token and
    nothing of anyone's in it (the language switch needs none)."""
    context = {
        **_context(params, results),
        "user": AnonymousUser(),
        "municipality_name": settings.MUNICIPALITY_NAME,
        "cart_count": 0,
    }
    return render_to_string("activities/catalogue.html", context)
