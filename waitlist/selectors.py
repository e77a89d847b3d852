"""Shared reads of the waiting list: live positions and counts, in a constant number of queries."""

from collections.abc import Iterable

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import get_language, gettext

from accounts.models import Family
from portal.compiled import CompiledQuery

from .models import WaitlistEntry

WAITING = WaitlistEntry.Status.WAITING


def _count(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values("group").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_positions(entries: QuerySet[WaitlistEntry]) -> QuerySet[WaitlistEntry]:
    """Annotate ``position`` (1-based, among waiting entries) and ``waiting_total`` per group.

    Position is by (queued_at, pk): first come, first served, ties broken by id.
    Only meaningful for waiting entries; others get the count of those ahead.
    """
    same_group = WaitlistEntry.objects.filter(group=OuterRef("group"), status=WAITING)
    ahead_or_self = same_group.filter(
        Q(queued_at__lt=OuterRef("queued_at"))
        | Q(queued_at=OuterRef("queued_at"), pk__lte=OuterRef("pk"))
    )
    return entries.annotate(position=_count(ahead_or_self), waiting_total=_count(same_group))


def family_entries(*, family: Family) -> list[WaitlistEntry]:
    """The family's entries (cancelled ones left out) with live position and the services
    waiting with them: two queries, whatever the number of entries."""
    entries = (
        WaitlistEntry.objects.filter(family=family)
        .exclude(status=WaitlistEntry.Status.CANCELLED)
        # Paid, not yet settled by the sweep: it is a registration now, not an offer.
        .exclude(status=WaitlistEntry.Status.OFFERED, offer_order__status="paid")
        .select_related("person", "group__activity", "group__week", "offer_order")
        .prefetch_related("addons__activity")
        .order_by("group__week__number", "person__first_name", "pk")
    )
    return list(with_positions(entries))


# Each join and each page of the line reads it: compiled once per process.
_POSITION = CompiledQuery(
    lambda *, entry_id: with_positions(WaitlistEntry.objects.filter(pk=entry_id)).values_list(
        "position", "waiting_total"
    )
)


def waiting_position(*, entry: WaitlistEntry) -> tuple[int, int]:
    """(position, total waiting) of one entry."""
    (row,) = _POSITION.all(entry_id=entry.pk)
    return row


def waiting_counts(*, group_ids: Iterable[int]) -> dict[int, int]:
    """Families waiting per group, in one query (groups with nobody waiting are left out)."""
    rows = (
        WaitlistEntry.objects.filter(group__in=list(group_ids), status=WAITING)
        .values_list("group")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def ordinal(number: int, language: str | None = None) -> str:
    """« 1er », « 3e » in French; "1st", "3rd", "11th" in English."""
    language = (language or get_language() or "fr")[:2]
    if language == "fr":
        return f"{number}er" if number == 1 else f"{number}e"
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def position_label(position: int, total: int) -> str:
    """« 3e sur 12 » / "3rd of 12"."""
    return gettext("%(position)s of %(total)s") % {"position": ordinal(position), "total": total}
