from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.errors import DomainError
from portal.templatetags.money import money

from . import services
from .forms import RefundForm
from .models import Order, Payment, Registration, WebhookEvent
from .roster import roster_or_reason


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    can_delete = False
    fields = (
        "person",
        "group",
        "status",
        "price",
        "family_rank",
        "family_reduction",
        "hold_expires_at",
        "confirmed_at",
    )
    readonly_fields = fields


class PaymentInline(admin.TabularInline):
    model = Payment
    fk_name = "order"
    extra = 0
    can_delete = False
    fields = (
        "kind",
        "status",
        "amount",
        "registration",
        "reason",
        "recorded_by",
        "provider_reference",
        "created_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Charges and refunds; a refund the provider reports failed is listed here."""

    list_display = ("created_at", "order", "kind", "status", "amount", "reason", "recorded_by")
    list_filter = ("kind", "status", "provider", "reason")
    search_fields = ("provider_reference", "=order__id", "order__family__user__email")
    list_select_related = ("order", "recorded_by")
    readonly_fields = [f.name for f in Payment._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
        "public_reference",
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
        "refund_link",
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

    def has_delete_permission(self, request, obj=None):
        return False  # money was (or may be) involved: orders end through their lifecycle

    @admin.display(description=_("order number"), ordering="pk")
    def number(self, order: Order) -> str:
        return order.number

    @admin.display(description=_("public identifier (order's web address)"))
    def public_reference(self, order: Order) -> str:
        return str(order.public_id)

    @admin.display(description=_("Cancel and refund"))
    def refund_link(self, order: Order) -> str:
        if order.status not in (Order.Status.PAID, Order.Status.PENDING_PAYMENT):
            return "—"
        url = reverse("admin:registrations_order_refund", args=[order.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Cancel and refund…"))

    def get_urls(self):
        refund = self.admin_site.admin_view(self.refund_view)
        return [
            path("<path:object_id>/refund/", refund, name="registrations_order_refund"),
            *super().get_urls(),
        ]

    @admin.action(description=_("Cancel and refund"), permissions=["change"])
    def cancel_and_refund(self, request, queryset):
        """Asks for confirmation, the lines and a reason on the order's own page."""
        if queryset.count() != 1:
            self.message_user(
                request, _("Choose one order at a time to refund it."), messages.WARNING
            )
            return None
        return redirect("admin:registrations_order_refund", queryset.get().pk)

    def refund_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        order = self.get_object(request, object_id)
        if order is None:
            raise Http404
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        if order.status == Order.Status.PENDING_PAYMENT:
            return self._cancel_pending(request, order)
        form = RefundForm(request.POST or None, order=order)
        if request.method == "POST" and form.is_valid():
            try:
                refunds = services.cancel_and_refund(
                    order=order,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    registration_ids=[r.pk for r in form.cleaned_data["lines"]],
                )
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                amount = sum(r.amount for r in refunds)
                self.message_user(
                    request,
                    _("%(order)s: %(amount)s refunded; the family is told by email.")
                    % {"order": order, "amount": money(amount)},
                )
                return redirect("admin:registrations_order_change", order.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "order": order,
            "form": form,
            "title": _("Cancel and refund %(order)s") % {"order": order},
        }
        return TemplateResponse(request, "admin/registrations/order/refund.html", context)

    def _cancel_pending(self, request: HttpRequest, order: Order) -> HttpResponse:
        if request.method == "POST":
            try:
                services.cancel_payment(order=order)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(request, _("%(order)s: cancelled.") % {"order": order})
            return redirect("admin:registrations_order_change", order.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "order": order,
            "title": _("Cancel %(order)s") % {"order": order},
        }
        return TemplateResponse(request, "admin/registrations/order/refund.html", context)


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
        return roster_or_reason(request, where="admin: registrations", registrations=confirmed)


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ("provider", "event_id", "event_type", "received_at")
    search_fields = ("event_id",)
    list_filter = ("provider", "event_type")
