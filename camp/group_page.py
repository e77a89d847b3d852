"""Everything about one group for its admin page: places, waiting line, roster, attendance."""

from dataclasses import dataclass

from django.utils import timezone

from activities.models import Group
from activities.selectors import Availability, group_availability
from registrations.models import Registration
from waitlist.models import WaitlistEntry, WaitlistEvent
from waitlist.out_of_turn import PASSED_OVER
from waitlist.selectors import with_positions

from .selectors import AttendanceSheet, DaySummary, attendance_sheet, attendance_summary, camp_days


@dataclass
class LineEntry:
    entry: WaitlistEntry
    passed_over: list[WaitlistEvent]


@dataclass
class GroupOverview:
    group: Group
    availability: Availability
    holds: int
    line: list[LineEntry]
    offered: list[WaitlistEntry]
    roster: AttendanceSheet
    attendance: list[DaySummary]

    @property
    def confirmed(self) -> int:
        return len(self.roster.rows)


def group_overview(*, group: Group) -> GroupOverview:
    now = timezone.now()
    availability = group_availability(group_ids=[group.pk], now=now)[group.pk]
    holds = Registration.objects.filter(
        group=group, status=Registration.Status.HELD, hold_expires_at__gt=now
    ).count()
    entries = list(
        with_positions(
            WaitlistEntry.objects.filter(
                group=group,
                status__in=(WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED),
            ).select_related("person", "family__user", "offer_order")
        ).order_by("queued_at", "pk")
    )
    passed: dict[int, list[WaitlistEvent]] = {}
    for event in WaitlistEvent.objects.filter(entry__in=entries, action=PASSED_OVER).select_related(
        "actor"
    ):
        passed.setdefault(event.entry_id, []).append(event)
    days = camp_days(group)
    today = timezone.localdate()
    return GroupOverview(
        group=group,
        availability=availability,
        holds=holds,
        line=[
            LineEntry(entry=e, passed_over=passed.get(e.pk, []))
            for e in entries
            if e.status == WaitlistEntry.Status.WAITING
        ],
        offered=[e for e in entries if e.status == WaitlistEntry.Status.OFFERED],
        roster=attendance_sheet(group=group, day=today if today in days else group.week.starts_on),
        attendance=attendance_summary(group=group),
    )
