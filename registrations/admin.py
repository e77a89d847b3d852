from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Order, Payment, Registration, WebhookEvent
from .payments import ProviderError
from .roster import roster_response


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    can_delete = False
    fields = ("person", "group", "status", "price", "hold_expires_at", "confirmed_at")
    readonly_fields = fields


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    can_delete = False
    fields = ("kind", "amount", "provider", "provider_reference", "created_at")
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "family", "status", "total", "source", "created_at", "paid_at")
    list_filter = (
        "status",
        "source",
        ("registrations__group__week__season", admin.RelatedOnlyFieldListFilter),
        ("registrations__group__week", admin.RelatedOnlyFieldListFilter),
        ("registrations__group", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = (
        "=id",
        "public_id",
        "provider_reference",
        "family__guardian_last_name",
        "family__guardian_first_name",
        "family__user__email",
        "registrations__person__first_name",
        "registrations__person__last_name",
    )
    readonly_fields = (
        "public_id",
        "family",
        "status",
        "source",
        "total",
        "provider",
        "provider_reference",
        "hold_expires_at",
        "language",
        "created_at",
        "paid_at",
    )
    inlines = [RegistrationInline, PaymentInline]
    actions = ["cancel_and_refund"]
    list_select_related = ("family",)

    def get_search_results(self, request, queryset, search_term):
        # "C-000123" is how families quote their order number.
        term = search_term.strip()
        if term.upper().startswith("C-") and term[2:].isdigit():
            search_term = str(int(term[2:]))
        queryset, _distinct = super().get_search_results(request, queryset, search_term)
        return queryset, True

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Cancel and refund"), permissions=["change"])
    def cancel_and_refund(self, request, queryset):
        done = 0
        for order in queryset:
            try:
                services.cancel_and_refund(order=order, by=request.user)
                done += 1
            except (services.RegistrationError, ProviderError) as exc:
                self.message_user(request, f"{order}: {exc}", messages.ERROR)
        if done:
            self.message_user(
                request, _("%(count)d order(s) cancelled and refunded.") % {"count": done}
            )


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("person", "group", "week", "kind", "status", "price", "order")
    list_filter = (
        "status",
        "kind",
        ("group__week__season", admin.RelatedOnlyFieldListFilter),
        ("week", admin.RelatedOnlyFieldListFilter),
        ("group", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = (
        "person__first_name",
        "person__last_name",
        "order__family__guardian_last_name",
        "order__family__user__email",
        "=order__id",
    )
    list_select_related = ("person", "group__activity", "group__week", "week", "order")
    readonly_fields = [f.name for f in Registration._meta.fields]
    actions = ["export_roster"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Export roster (CSV)"), permissions=["view"])
    def export_roster(self, request, queryset):
        confirmed = (
            queryset.filter(status=Registration.Status.CONFIRMED)
            .select_related("person__family", "group__activity", "group__week__season")
            .order_by("group__week__number", "group__activity__name", "person__last_name")
        )
        return roster_response(registrations=confirmed)


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ("provider", "event_id", "event_type", "received_at")
    search_fields = ("event_id",)
    list_filter = ("provider", "event_type")
