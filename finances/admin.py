from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.admin import ReadOnlyAdmin

from .models import PayerInfo, Rl24Release


@admin.register(PayerInfo)
class PayerInfoAdmin(ReadOnlyAdmin):
    """Read-only: the family enters its payer in « Mon dossier ». The social insurance number
    is masked except for staff holding ``finances.view_sin`` (« Finances »)."""

    list_display = ("family", "last_name", "first_name", "sin_masked", "updated_at")
    search_fields = ("last_name", "first_name", "family__guardian_last_name")
    BASE_FIELDS = ("family", "first_name", "last_name", "address", "city", "postal_code")

    @admin.display(description=_("social insurance number"))
    def sin_masked(self, obj: PayerInfo) -> str:
        return obj.sin_masked

    @admin.display(description=_("social insurance number (in clear)"))
    def sin_clear(self, obj: PayerInfo) -> str:
        return obj.sin_formatted

    def _sin_field(self, request: HttpRequest) -> str:
        # Decided per request (the admin instance is shared by every thread).
        return "sin_clear" if request.user.has_perm("finances.view_sin") else "sin_masked"

    def get_fields(self, request: HttpRequest, obj=None):
        return (*self.BASE_FIELDS, self._sin_field(request))

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return self.get_fields(request, obj)


@admin.register(Rl24Release)
class Rl24ReleaseAdmin(admin.ModelAdmin):
    """« RL-24 available from »: per tax year, when families may download their slip."""

    list_display = ("year", "available_from", "exports")

    @admin.display(description=_("Exports"))
    def exports(self, obj: Rl24Release) -> str:
        return format_html(
            '<a href="{}?year={}">{}</a> · <a href="{}">{}</a>',
            reverse("finances:rl24_export"),
            obj.year,
            _("RL-24 slips"),
            reverse("finances:journal"),
            _("Journal of payments"),
        )
