"""Staff side of privacy: exports on request (« Administration », reason logged), the list of
account closures (that one happened, never what was deleted) and the incident register."""

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.admin import ReadOnlyAdmin

from . import services
from .forms import StaffExportForm
from .models import AccountClosure, DataExport, Incident


@admin.register(DataExport)
class DataExportAdmin(admin.ModelAdmin):
    form = StaffExportForm
    list_display = ("created_at", "family", "by_staff", "requested_by", "status", "expires_at")
    list_filter = ("by_staff", "status")
    list_select_related = ("family", "requested_by")
    search_fields = ("family__guardian_last_name", "reason")
    actions = None
    fields = ("family", "reason")
    readonly_fields = ()

    def get_queryset(self, request):
        # Staff see no family's own exports' content, only that they exist.
        return super().get_queryset(request).defer("content_json", "content_html")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("family", "reason")
        return (
            "family",
            "requested_by",
            "by_staff",
            "reason",
            "status",
            "created_at",
            "expires_at",
            "links",
        )

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("download"))
    def links(self, export: DataExport) -> str:
        if not (export.by_staff and export.downloadable):
            return "—"
        return format_html(
            '<a href="{}">JSON</a> · <a href="{}">HTML</a>',
            reverse("privacy:staff_download", args=[export.pk, "json"]),
            reverse("privacy:staff_download", args=[export.pk, "html"]),
        )

    def save_model(self, request, obj: DataExport, form, change: bool) -> None:
        """Through the service: the reason is required, the request is logged, a task builds
        the export; the link on its page works for the staff member who asked, until it expires."""
        export = services.request_export(
            family=form.cleaned_data["family"], by=request.user, reason=form.cleaned_data["reason"]
        )
        obj.__dict__.update({k: v for k, v in export.__dict__.items() if k != "_state"})
        obj._state.adding = False


@admin.register(AccountClosure)
class AccountClosureAdmin(ReadOnlyAdmin):
    list_display = ("closed_at", "family", "requested_by_family")
    date_hierarchy = "closed_at"
    actions = None


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = (
        "discovered_at",
        "nature_short",
        "risk",
        "commission_notified_at",
        "persons_notified_at",
        "recorded_by",
    )
    list_filter = ("risk",)
    search_fields = ("nature", "persons_affected")
    date_hierarchy = "discovered_at"
    readonly_fields = ("recorded_by", "recorded_at", "updated_at")

    @admin.display(description=_("what happened"))
    def nature_short(self, incident: Incident) -> str:
        return incident.nature[:80]

    def save_model(self, request, obj: Incident, form, change: bool) -> None:
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
