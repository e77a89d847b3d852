"""Staff side of the waiting list: the line per group, offers, moves and the audit trail."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.errors import DomainError

from . import services
from .models import WaitlistEntry, WaitlistEvent
from .out_of_turn import PASSED_OVER, entries_ahead, offer_out_of_turn
from .selectors import with_positions


class WaitlistEventInline(admin.TabularInline):
    model = WaitlistEvent
    fields = ("action", "actor", "at", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-at",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


def _run_for_each(modeladmin, request: HttpRequest, items, call) -> None:
    """Apply a service to each selected item: one success or refusal message per item."""
    for item in items:
        try:
            text = call(item)
        except DomainError as refusal:
            modeladmin.message_user(request, f"{item}: {refusal.message}", messages.ERROR)
        else:
            modeladmin.message_user(request, text, messages.SUCCESS)


class OutOfTurnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for offering out of turn"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the history of the entry offered and of each family passed over."),
    )


@admin.action(description=_("Offer a place"), permissions=["change"])
def offer_place_action(modeladmin, request: HttpRequest, queryset: QuerySet):
    """An entry that is not first in line needs a reason: an intermediate page asks for it."""
    entries = list(
        queryset.select_related("person", "group__activity", "group__week").order_by(
            "group", "queued_at", "pk"
        )
    )
    # Out of turn: someone waits ahead who is not offered in this same action.
    selected = [e.pk for e in entries]
    out_of_turn = [
        e
        for e in entries
        if e.status == WaitlistEntry.Status.WAITING
        and entries_ahead(e).exclude(pk__in=selected).exists()
    ]
    form = OutOfTurnForm(request.POST if "apply" in request.POST else None)
    if out_of_turn and not form.is_valid():
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": _("Offer a place out of turn"),
            "opts": modeladmin.model._meta,
            "form": form,
            "entries": entries,
            "out_of_turn": [
                (e, entries_ahead(e).exclude(pk__in=selected).count()) for e in out_of_turn
            ],
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/waitlist/offer_out_of_turn.html", context)
    reason = form.cleaned_data["reason"] if out_of_turn else ""

    def offer(entry: WaitlistEntry) -> str:
        order = offer_out_of_turn(entry=entry, reason=reason, by=request.user)
        return gettext("%(entry)s: place offered (order %(order)s).") % {
            "entry": entry,
            "order": order.number,
        }

    _run_for_each(modeladmin, request, entries, offer)
    return None


@admin.action(description=_("Move to the top"), permissions=["change"])
def move_top_action(modeladmin, request: HttpRequest, queryset: QuerySet) -> None:
    def move(entry: WaitlistEntry) -> str:
        services.move_entry(entry=entry, to="top", by=request.user)
        return gettext("%(entry)s: moved to the top.") % {"entry": entry}

    # Last selected first, so that the selection keeps its own order at the top.
    _run_for_each(modeladmin, request, queryset.order_by("-queued_at", "-pk"), move)


@admin.action(description=_("Move to the bottom"), permissions=["change"])
def move_bottom_action(modeladmin, request: HttpRequest, queryset: QuerySet) -> None:
    def move(entry: WaitlistEntry) -> str:
        services.move_entry(entry=entry, to="bottom", by=request.user)
        return gettext("%(entry)s: moved to the bottom.") % {"entry": entry}

    _run_for_each(modeladmin, request, queryset.order_by("queued_at", "pk"), move)


@admin.action(description=_("Offer to the next in line"), permissions=["offer_waitlist"])
def offer_next_action(modeladmin, request: HttpRequest, queryset: QuerySet) -> None:
    """For the Group admin (registered there at integration): one offer per selected group."""

    def offer(group) -> str:
        order = services.offer_next(group=group, by=request.user)
        return gettext("%(group)s: place offered (order %(order)s).") % {
            "group": group,
            "order": order.number,
        }

    _run_for_each(modeladmin, request, queryset, offer)


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    list_display = (
        "person",
        "family",
        "group",
        "position",
        "status",
        "queued_at",
        "offer_expires_at",
        "offer_order",
    )
    list_filter = ("status", "group__week__season", "group__week", "group")
    search_fields = (
        "family__guardian_last_name",
        "family__guardian_first_name",
        "family__user__email",
        "person__first_name",
        "person__last_name",
    )
    ordering = ("group", "queued_at", "pk")
    list_select_related = ("person", "family", "group__activity", "group__week", "offer_order")
    actions = (offer_place_action, move_top_action, move_bottom_action)
    inlines = (WaitlistEventInline,)
    fields = (
        "family",
        "person",
        "group",
        "addons",
        "status",
        "queued_at",
        "created_at",
        "language",
        "offer_order",
        "offer_expires_at",
    )
    # Every change goes through the services (offer, move, expire), never a raw edit.
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        passed_over = WaitlistEvent.objects.filter(entry=OuterRef("pk"), action=PASSED_OVER)
        return with_positions(super().get_queryset(request)).annotate(
            was_passed_over=Exists(passed_over)
        )

    @admin.display(description=_("position"), ordering="queued_at")
    def position(self, entry: WaitlistEntry) -> str:
        if entry.status != WaitlistEntry.Status.WAITING:
            return "—"
        position = f"{entry.position} / {entry.waiting_total}"
        if getattr(entry, "was_passed_over", False):
            return gettext("%(position)s (passed over, see history)") % {"position": position}
        return position

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # entries come from families joining (with its checks)
