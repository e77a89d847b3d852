"""Writes of the health side: the signed health form, accompaniment requests and decisions."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Person
from activities.models import Season
from portal.emails import queue_email
from portal.errors import DomainError
from portal.words import format_datetime

from .models import (
    HEALTH_FORM_ANSWERS,
    AccompanimentRequest,
    EmergencyContact,
    HealthForm,
    MedicalAccessLog,
)
from .selectors import policy_of, season_first_day


class HealthRefused(DomainError):
    """A domain refusal; the message is shown as is to the family or to staff."""


@transaction.atomic
def save_health_form(
    *,
    person: Person,
    season: Season,
    data: dict,
    contacts: list[dict],
    insurance_number: str | None,
    by,
    now: datetime | None = None,
) -> HealthForm:
    """Create or replace the child's form for the season; each save is a new signature.

    ``insurance_number`` None keeps the stored number (the page never shows it in clear).
    Clerks are told of any change made once the season has started.
    """
    now = now or timezone.now()
    form = HealthForm.objects.filter(person=person, season=season).first()
    existed = form is not None
    form = form or HealthForm(person=person, season=season)
    for name in HEALTH_FORM_ANSWERS:
        setattr(form, name, data[name])
    if insurance_number is not None:
        form.health_insurance_number = insurance_number
    form.signed_by_user = by
    form.signed_at = now
    form.save()
    form.contacts.all().delete()
    EmergencyContact.objects.bulk_create(
        EmergencyContact(form=form, position=i, **contact) for i, contact in enumerate(contacts)
    )
    first_day = season_first_day(season)
    if first_day is not None and timezone.localdate(now) >= first_day:
        queue_email(
            to=settings.STAFF_NOTIFICATION_EMAIL,
            template="health_form_changed",
            context={"form": form, "person": person, "season": season, "changed": existed},
            kind="health_form_changed",
        )
    return form


@transaction.atomic
def request_accompaniment(
    *, person: Person, season: Season, needs: str, now: datetime | None = None
) -> AccompanimentRequest:
    """Ask (or complete a request) before the season's deadline. A decided request is final."""
    now = now or timezone.now()
    deadline = policy_of(season).accompaniment_deadline or season.closes_at
    if now >= deadline:
        raise HealthRefused(
            _("Requests for this season closed on %(date)s. Call the recreation department.")
            % {"date": format_datetime(deadline)},
            code="deadline",
        )
    request = (
        AccompanimentRequest.objects.select_for_update()
        .filter(person=person, season=season)
        .first()
    )
    if request is None:
        return AccompanimentRequest.objects.create(person=person, season=season, needs=needs)
    if request.status in (
        AccompanimentRequest.Status.ACCEPTED,
        AccompanimentRequest.Status.DECLINED,
    ):
        raise HealthRefused(
            _("This request was already decided. Call the recreation department to change it."),
            code="decided",
        )
    request.needs = needs
    request.status = AccompanimentRequest.Status.SUBMITTED
    request.save(update_fields=["needs", "status", "updated_at"])
    return request


def check_decision(*, status: str, note: str) -> None:
    """A decision is given, and a refusal or a question tells the family why."""
    if status == AccompanimentRequest.Status.SUBMITTED:
        raise HealthRefused(_("Choose a decision."), code="no_decision")
    if status != AccompanimentRequest.Status.ACCEPTED and not note.strip():
        raise HealthRefused(
            _("Write a note to the family: it tells them what is missing or why."),
            code="note_required",
        )


def decide_accompaniment(
    *, request: AccompanimentRequest, status: str, note: str, by, now: datetime | None = None
) -> AccompanimentRequest:
    """The clerk's answer, which the family reads in « Mon dossier »."""
    check_decision(status=status, note=note)
    request.status = status
    request.staff_note = note.strip()
    request.decided_by = by
    request.decided_at = now or timezone.now()
    request.save(update_fields=["status", "staff_note", "decided_by", "decided_at", "updated_at"])
    return request


def log_medical_access(*, user, person_ids, context: str, kind: str = "", reason: str = "") -> None:
    """Law 25: every staff look at children's medical data leaves a trace (who, when, what,
    why). ``kind`` is one of ``MedicalAccessLog.Kind``; ``reason`` is asked for exports."""
    MedicalAccessLog.objects.bulk_create(
        MedicalAccessLog(
            user=user, person_id=pk, context=context[:200], kind=kind, reason=reason[:300]
        )
        for pk in person_ids
    )
