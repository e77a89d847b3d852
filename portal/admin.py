from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import emails
from .models import OutgoingEmail


class ReadOnlyAdmin(admin.ModelAdmin):
    """Staff consult these rows here and never add, change or delete them: logs, closures,
    what a family or a service wrote (the actions on them go through services)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """The outbox, read-only: « Administration » watches it and may push a stuck email again.
    Bodies carry children's names and addresses: only the outbox's own permissions open it."""

    list_display = ["created_at", "to", "subject", "kind", "language", "status", "attempts"]
    list_filter = ["status", "kind", "language", "key_redacted"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    actions = ["resend_now"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send again now"), permissions=["change"])
    def resend_now(self, request, queryset):
        """Failed emails go back to pending, then each is handed to Celery again."""
        ids = emails.resend(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d email handed over for sending.",
                "%(count)d emails handed over for sending.",
                len(ids),
            )
            % {"count": len(ids)},
            messages.SUCCESS,
        )
