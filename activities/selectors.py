"""Shared reads of the catalogue. Availability is computed here and nowhere else."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Group


@dataclass(frozen=True)
class Availability:
    """Places of one group, from facts (invariant 1), never from a stored counter."""

    capacity: int
    taken: int  # confirmed registrations + holds not yet expired (waitlist offers included)
    waiting: int  # waiting-list entries still waiting (not yet offered)

    @property
    def free(self) -> int:
        """Places nobody holds: what a waitlist offer may take."""
        return max(self.capacity - self.taken, 0)

    @property
    def public_free(self) -> int:
        """Places the public may take: freed places go to the waiting list first."""
        return max(self.capacity - self.taken - self.waiting, 0)

    @property
    def is_full(self) -> bool:
        return self.public_free == 0


def _count_subquery(queryset: QuerySet) -> Coalesce:
    counted = (
        queryset.filter(group=OuterRef("pk"))
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_availability(groups: QuerySet[Group], *, now: datetime | None = None) -> QuerySet[Group]:
    """Annotate ``taken`` and ``waiting`` on a group queryset, in the same single query."""
    from registrations.models import Registration
    from waitlist.models import WaitlistEntry

    now = now or timezone.now()
    return groups.annotate(
        taken=_count_subquery(Registration.objects.occupying(now)),
        waiting=_count_subquery(WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING)),
    )


def availability_of(group: Group) -> Availability:
    """Availability of a group fetched through ``with_availability``."""
    return Availability(capacity=group.capacity, taken=group.taken, waiting=group.waiting)


def group_availability(
    *, group_ids: Iterable[int], now: datetime | None = None
) -> dict[int, Availability]:
    """Availability of any number of groups, in one query."""
    rows = with_availability(Group.objects.filter(pk__in=list(group_ids)), now=now).values_list(
        "pk", "capacity", "taken", "waiting"
    )
    return {
        pk: Availability(capacity=capacity, taken=taken, waiting=waiting)
        for pk, capacity, taken, waiting in rows
    }
