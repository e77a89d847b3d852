"""Writes of the camp's side: attendance marks (messages live in camp/messaging.py)."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Person
from activities.models import Group
from health.models import HealthForm
from portal.errors import DomainError
from registrations.models import Registration

from .models import Attendance
from .selectors import ALONE, camp_days, pickup_choices


class CampRefused(DomainError):
    """A domain refusal; the message is shown as is to staff."""


def mark_attendance(
    *,
    group: Group,
    person: Person,
    day: date,
    status: str,
    left_with: str = "",
    by,
    now: datetime | None = None,
) -> Attendance:
    """Mark a child present, absent or gone home. Idempotent: marking the same thing twice
    keeps the first time; a correction (absent after present) clears the times it undoes."""
    now = now or timezone.now()
    if status not in Attendance.Status.values:
        raise CampRefused(_("Choose present, absent or left."), code="status")
    if day not in camp_days(group):
        raise CampRefused(_("This day is not a camp day of the group."), code="day")
    if not Registration.objects.filter(
        group=group, person=person, status=Registration.Status.CONFIRMED
    ).exists():
        raise CampRefused(_("This child is not registered in the group."), code="not_registered")
    if status == Attendance.Status.LEFT:
        form = HealthForm.objects.filter(person=person, season=group.week.season_id).first()
        allowed = dict(pickup_choices(person, form))
        if left_with not in allowed:
            raise CampRefused(
                _("Choose who the child leaves with, among the authorised persons."),
                code="pickup",
            )
        left_with = str(allowed[left_with]) if left_with == ALONE else left_with
    with transaction.atomic():
        mark, _created = Attendance.objects.select_for_update().get_or_create(
            group=group, person=person, day=day, defaults={"status": status, "marked_by": by}
        )
        mark.status = status
        mark.marked_by = by
        if status == Attendance.Status.ABSENT:
            mark.arrived_at = mark.left_at = None
            mark.left_with = ""
        elif status == Attendance.Status.PRESENT:
            mark.arrived_at = mark.arrived_at or now
            mark.left_at, mark.left_with = None, ""
        else:  # left: the arrival time stays what it was (unknown if never marked present)
            mark.left_at = mark.left_at or now
            mark.left_with = left_with
        mark.save()
    return mark
