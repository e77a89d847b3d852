"""Reads of the camp's side that pages share: who is in a group, who came, who may see it."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.db.models import QuerySet

from accounts.models import Person
from activities.models import Group
from health.models import HealthForm
from health.selectors import HealthFlags, health_flags
from registrations.models import Registration

from .models import Attendance, MonitorAssignment

ALONE = "__alone__"


def can_take_attendance(user, group: Group) -> bool:
    """Clerks take any group's attendance; a monitor (« Animation ») only their own groups'."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.has_perm("camp.take_any_attendance"):
        return True
    return (
        user.has_perm("camp.take_attendance")
        and MonitorAssignment.objects.filter(user=user, group=group).exists()
    )


def attendance_groups(user) -> QuerySet[Group]:
    """The groups whose attendance this user may take."""
    groups = Group.objects.select_related("activity", "week__season").order_by(
        "-week__starts_on", "activity__name"
    )
    if user.has_perm("camp.take_any_attendance"):
        return groups
    if user.has_perm("camp.take_attendance"):
        return groups.filter(monitors__user=user)
    return groups.none()


def camp_days(group: Group) -> list[date]:
    """The weekdays of the group's week: the days attendance is taken."""
    day, days = group.week.starts_on, []
    while day <= group.week.ends_on:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def roster(group: Group) -> list[Registration]:
    """Children with a confirmed place in the group, by name."""
    return list(
        Registration.objects.filter(group=group, status=Registration.Status.CONFIRMED)
        .select_related("person__family")
        .order_by("person__last_name", "person__first_name", "pk")
    )


def pickup_choices(person: Person, form: HealthForm | None) -> list[tuple[str, str]]:
    """Who may take the child home: the authorised pick-up persons and emergency contacts,
    and « leaves alone » only when the guardian consented to it."""
    from django.utils.translation import gettext as _

    names = [line.strip() for line in person.authorized_pickups.splitlines() if line.strip()]
    if form is not None:
        names += [f"{c.name} ({c.relationship})" for c in form.contacts.all()]
    choices = [(name, name) for name in dict.fromkeys(names)]
    if form is not None and form.consent_leave_alone:
        choices.append((ALONE, _("Leaves alone (authorised)")))
    return choices


@dataclass
class AttendanceRow:
    registration: Registration
    age: int
    flags: HealthFlags
    mark: Attendance | None
    pickups: list[tuple[str, str]]

    @property
    def person(self) -> Person:
        return self.registration.person


@dataclass
class AttendanceSheet:
    group: Group
    day: date
    rows: list[AttendanceRow]

    @property
    def not_marked(self) -> list[AttendanceRow]:
        """Registered children nobody has marked yet today: the 9 h 15 question."""
        return [row for row in self.rows if row.mark is None]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.mark is not None and row.mark.status == status)

    @property
    def count_present(self) -> int:
        return self.count(Attendance.Status.PRESENT)

    @property
    def count_absent(self) -> int:
        return self.count(Attendance.Status.ABSENT)

    @property
    def count_left(self) -> int:
        return self.count(Attendance.Status.LEFT)

    @property
    def days(self) -> list[date]:
        return camp_days(self.group)


def attendance_sheet(*, group: Group, day: date) -> AttendanceSheet:
    registrations = roster(group)
    person_ids = [r.person_id for r in registrations]
    season = group.week.season
    flags = health_flags(person_ids=person_ids, season=season)
    marks = {
        a.person_id: a
        for a in Attendance.objects.filter(group=group, day=day, person__in=person_ids)
    }
    rows = [
        AttendanceRow(
            registration=r,
            age=r.person.age_on(season.age_reference_date),
            flags=flags[r.person_id],
            mark=marks.get(r.person_id),
            pickups=pickup_choices(r.person, flags[r.person_id].form),
        )
        for r in registrations
    ]
    return AttendanceSheet(group=group, day=day, rows=rows)


def not_marked_counts(*, groups: list[Group], day: date) -> dict[int, int]:
    """Registered children not yet marked on a day, per group, in two queries: what a clerk
    checks at 9 h 15 across every group of the day."""
    from django.db.models import Count

    ids = [g.pk for g in groups]
    registered = dict(
        Registration.objects.filter(group__in=ids, status=Registration.Status.CONFIRMED)
        .values_list("group")
        .annotate(n=Count("pk"))
        .order_by()
    )
    marked = dict(
        Attendance.objects.filter(
            group__in=ids,
            day=day,
            person__registrations__group=models.F("group"),
            person__registrations__status=Registration.Status.CONFIRMED,
        )
        .values_list("group")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    return {pk: registered.get(pk, 0) - marked.get(pk, 0) for pk in ids}


@dataclass(frozen=True)
class DaySummary:
    day: date
    present: int
    absent: int
    left: int
    not_marked: int


def attendance_summary(*, group: Group) -> list[DaySummary]:
    """Per camp day: how many children were present, absent, gone home, not marked."""
    registered = {r.person_id for r in roster(group)}
    counts: dict[tuple[date, str], int] = {}
    for day, status, person_id in Attendance.objects.filter(group=group).values_list(
        "day", "status", "person_id"
    ):
        if person_id in registered:
            counts[(day, status)] = counts.get((day, status), 0) + 1
    summaries = []
    for day in camp_days(group):
        present, absent, left = (counts.get((day, s), 0) for s in ("present", "absent", "left"))
        summaries.append(
            DaySummary(
                day=day,
                present=present,
                absent=absent,
                left=left,
                not_marked=len(registered) - present - absent - left,
            )
        )
    return summaries
