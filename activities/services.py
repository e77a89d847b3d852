"""Writes of the catalogue that carry a rule: generating groups, changing capacity."""

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.errors import DomainError
from portal.locking import busy_on_lock_timeout

from .locking import lock_groups
from .models import Activity, Group, Season
from .selectors import group_availability


class CapacityBelowTaken(DomainError):
    """Capacity may not go below the places already taken (confirmed or held)."""

    code = "capacity_below_taken"

    def __init__(self, *, capacity: int, taken: int) -> None:
        self.capacity = capacity
        self.taken = taken
        super().__init__(
            ngettext(
                "Capacity cannot be lowered to %(capacity)s: %(taken)s place is already taken.",
                "Capacity cannot be lowered to %(capacity)s: %(taken)s places are already taken.",
                taken,
            )
            % {"capacity": capacity, "taken": taken}
        )


def generate_groups(
    *,
    season: Season,
    activities: Iterable[Activity],
    capacity: int,
    price_resident: Decimal,
    price_nonresident: Decimal,
    min_age: int,
    max_age: int,
) -> int:
    """Create one group per activity and week of the season; existing pairs are left as they
    are, so running it twice creates nothing. Returns the number of groups created."""
    if min_age > max_age:
        raise ValueError(_("The minimum age must not exceed the maximum age."))
    weeks = list(season.weeks.all())
    activities = list(activities)
    existing = set(
        Group.objects.filter(week__in=weeks, activity__in=activities).values_list(
            "activity_id", "week_id"
        )
    )
    new_groups = [
        Group(
            activity=activity,
            week=week,
            capacity=capacity,
            price_resident=price_resident,
            price_nonresident=price_nonresident,
            min_age=min_age,
            max_age=max_age,
        )
        for week in weeks
        for activity in activities
        if (activity.pk, week.pk) not in existing
    ]
    # ignore_conflicts: a concurrent run creating the same pair is not an error either.
    Group.objects.bulk_create(new_groups, ignore_conflicts=True)
    return len(new_groups)


def check_capacity(*, group: Group, capacity: int) -> None:
    """Refuse a capacity below the places taken now (read from the availability selector)."""
    taken = group_availability(group_ids=[group.pk])[group.pk].taken
    if capacity < taken:
        raise CapacityBelowTaken(capacity=capacity, taken=taken)


def change_capacity(*, group: Group, capacity: int) -> Group:
    """Change a group's capacity under the group's lock, so no hold slips in between the check
    and the write (invariant 2). New places go to the families waiting first: the waiting
    list's sweep offers them or tells staff."""
    with busy_on_lock_timeout(), transaction.atomic():
        lock_groups([group.pk])
        check_capacity(group=group, capacity=capacity)
        Group.objects.filter(pk=group.pk).update(capacity=capacity)
    group.capacity = capacity
    return group
