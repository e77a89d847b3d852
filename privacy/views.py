"""Family side of privacy: « My personal information » (export, closing the account), and
the download of an export. Thin: the services decide."""

from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.gate import family_required
from portal.staff import staff_permission_required

from . import services
from .forms import CloseAccountForm
from .models import DataExport


def _exports(request: HttpRequest):
    return DataExport.objects.filter(family=request.family, by_staff=False)[:5]


@family_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/my_data.html", {"exports": _exports(request)})


@family_required
@require_GET
def exports_status(request: HttpRequest) -> HttpResponse:
    """The export list alone: htmx polls it while an export is being prepared."""
    return render(request, "privacy/_exports.html", {"exports": _exports(request)})


@family_required
@require_POST
def request_export(request: HttpRequest) -> HttpResponse:
    services.request_export(family=request.family, by=request.user)
    if request.htmx:
        return render(request, "privacy/_exports.html", {"exports": _exports(request)})
    messages.success(request, _("Your export is being prepared."))
    return redirect("privacy:my_data")


def _file(request: HttpRequest, export: DataExport, fmt: str) -> HttpResponse:
    if fmt not in ("json", "html"):
        raise Http404
    if not export.downloadable:
        return render(request, "privacy/export_expired.html", {"export": export}, status=410)
    if fmt == "json":
        response = HttpResponse(export.content_json, content_type="application/json")
        name = f"mes-donnees-{export.created_at:%Y%m%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return HttpResponse(export.content_html, content_type="text/html; charset=utf-8")


@family_required
@require_GET
def download(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    """Only the family's own export, by its token; after ``expires_at`` the link is gone."""
    export = get_object_or_404(DataExport, token=token, family=request.family, by_staff=False)
    return _file(request, export, fmt)


@staff_permission_required("privacy.add_dataexport")
@require_GET
def staff_download(request: HttpRequest, export_id: int, fmt: str) -> HttpResponse:
    """A staff export opens only for the staff member who asked for it, until it expires."""
    export = DataExport.objects.filter(pk=export_id, by_staff=True, requested_by=request.user)
    if not export.exists():
        raise Http404
    return _file(request, export.get(), fmt)


@family_required
@require_http_methods(["GET", "POST"])
def close_account(request: HttpRequest) -> HttpResponse:
    form = CloseAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.close_account(family=request.family)
        logout(request)
        return redirect("privacy:closed")
    return render(request, "privacy/close_account.html", {"form": form})


@require_GET
def closed(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/closed.html")
