"""Portability: everything the portal holds about one family, as a documented JSON file and a
readable HTML summary, built by a Celery task and delivered by a link that expires."""

import json
import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Family, Person
from camp.models import Attendance
from finances.models import PayerInfo
from health.models import AccompanimentRequest, HealthForm, MedicalAccessLog
from health.services import log_medical_access
from portal.crypto import mask
from portal.errors import DomainError
from portal.models import OutgoingEmail
from registrations.models import Cart, CartItem, Order, Payment, Registration
from waitlist.models import WaitlistEntry, WaitlistEvent

from ..models import DataExport

FORMAT_VERSION = 1

# The JSON file documents itself: one line per section, in the family's language.
SECTIONS = {
    "account": gettext_lazy("The login: email address, dates of sign-up and last login."),
    "family": gettext_lazy(
        "The family file: guardians, address, phone, language, approval and residency, the "
        "privacy policy accepted."
    ),
    "persons": gettext_lazy(
        "Family members: names, birth dates, allergies, medical notes, pick-up persons."
    ),
    "health_forms": gettext_lazy(
        "Health forms per child and season, with emergency contacts and the four consents."
    ),
    "accompaniment_requests": gettext_lazy("Requests for an accompanying person and answers."),
    "cart": gettext_lazy("What is in the cart now (a cart reserves nothing)."),
    "orders": gettext_lazy("Orders: status, total, payment provider and dates."),
    "registrations": gettext_lazy("Registrations: child, group, week and status."),
    "payments": gettext_lazy("Payments and refunds: amounts, status and dates."),
    "waitlist_entries": gettext_lazy("Waiting-list entries and their history."),
    "attendance": gettext_lazy("Attendance taken at camp."),
    "tax_payer": gettext_lazy(
        "The person named as payer on the Relevé 24 tax slips, the social insurance number "
        "masked (it appears in clear only on the slip itself)."
    ),
    "emails": gettext_lazy("Emails the portal sent to the family (bodies kept a few weeks)."),
}


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def _row(obj: models.Model, *, exclude: tuple[str, ...] = ()) -> dict:
    """Every stored field of a row (foreign keys as their id), JSON-ready."""
    return {
        field.attname: _plain(getattr(obj, field.attname))
        for field in obj._meta.concrete_fields
        if field.name not in exclude
    }


def collect_family_data(*, family: Family, for_family: bool) -> dict:
    """The whole file. Sensitive numbers (health insurance) appear in clear only in the
    family's own export; a staff export shows them masked."""
    user = family.user
    persons = list(Person.objects.filter(family=family).order_by("pk"))
    forms = HealthForm.objects.filter(person__family=family).prefetch_related("contacts")
    health_forms = []
    for form in forms.order_by("pk"):
        row = _row(form)
        number = form.health_insurance_number
        row["health_insurance_number"] = number if for_family else mask(number)
        row["emergency_contacts"] = [_row(c, exclude=("form",)) for c in form.contacts.all()]
        health_forms.append(row)
    entries = []
    for entry in WaitlistEntry.objects.filter(family=family).order_by("pk"):
        row = _row(entry)
        row["events"] = [
            _row(event, exclude=("actor",))
            for event in WaitlistEvent.objects.filter(entry=entry).order_by("pk")
        ]
        entries.append(row)
    payers = []
    for payer in PayerInfo.objects.filter(family=family):
        row = _row(payer, exclude=("sin",))
        row["sin"] = payer.sin_masked  # masked even in the family's own export
        payers.append(row)
    return {
        "format": "camps-de-jour/family-export",
        "format_version": FORMAT_VERSION,
        "generated_at": timezone.now().isoformat(),
        "municipality": settings.MUNICIPALITY_NAME,
        "sections": {name: str(text) for name, text in SECTIONS.items()},
        "account": {
            "email": user.email,
            "date_joined": _plain(user.date_joined),
            "last_login": _plain(user.last_login),
        },
        "family": _row(family, exclude=("user", "approved_by")),
        "persons": [_row(p) for p in persons],
        "health_forms": health_forms,
        "accompaniment_requests": [
            _row(r, exclude=("decided_by",))
            for r in AccompanimentRequest.objects.filter(person__family=family).order_by("pk")
        ],
        "cart": [
            _row(item)
            for item in CartItem.objects.filter(cart__in=Cart.objects.filter(family=family))
        ],
        "orders": [_row(o) for o in Order.objects.filter(family=family).order_by("pk")],
        "registrations": [
            _row(r) for r in Registration.objects.filter(order__family=family).order_by("pk")
        ],
        "payments": [
            _row(p, exclude=("recorded_by",))
            for p in Payment.objects.filter(order__family=family).order_by("pk")
        ],
        "waitlist_entries": entries,
        "attendance": [
            _row(a, exclude=("marked_by",))
            for a in Attendance.objects.filter(person__family=family).order_by("pk")
        ],
        "tax_payer": payers,
        "emails": [
            _row(e, exclude=("body_html", "last_error", "attempts", "next_attempt_at"))
            for e in OutgoingEmail.objects.filter(to__iexact=user.email).order_by("pk")
        ],
    }


def request_export(
    *, family: Family, by, reason: str = "", now: datetime | None = None
) -> DataExport:
    """Ask for an export; the task builds it after commit. Staff must say why, and the request
    is written to the access log (it carries the children's medical data)."""
    now = now or timezone.now()
    by_staff = getattr(by, "family", None) != family
    reason = reason.strip()
    if by_staff and not reason:
        raise DomainError(_("Say why this family's data is exported."), code="reason_required")
    export = DataExport.objects.create(
        family=family,
        requested_by=by,
        by_staff=by_staff,
        reason=reason[:300],
        token=secrets.token_urlsafe(32),
        expires_at=now + timedelta(hours=settings.PRIVACY_EXPORT_LINK_HOURS),
    )
    if by_staff:
        children = list(family.persons.values_list("pk", flat=True)) or [None]
        log_medical_access(
            user=by,
            person_ids=children,
            context=f"family export {export.pk} (family {family.pk})",
            kind=MedicalAccessLog.Kind.FAMILY_EXPORT,
            reason=reason,
        )
    transaction.on_commit(lambda: _enqueue(export.pk))
    return export


def _enqueue(export_id: int) -> None:
    from ..tasks import build_export_task

    build_export_task.delay(export_id)


def build_export(*, export_id: int) -> DataExport | None:
    """Build the JSON and the summary of a pending export (idempotent: a ready one is kept)."""
    with transaction.atomic():
        export = (
            DataExport.objects.select_for_update()
            .filter(pk=export_id, status=DataExport.Status.PENDING)
            .first()
        )
        if export is None or export.family is None:
            return export
        language = export.family.preferred_language if not export.by_staff else "fr"
        with translation.override(language):
            data = collect_family_data(family=export.family, for_family=not export.by_staff)
            export.content_json = json.dumps(data, ensure_ascii=False, indent=2)
            export.content_html = render_to_string(
                "privacy/export_summary.html", {"data": data, "export": export}
            )
        export.status = DataExport.Status.READY
        export.ready_at = timezone.now()
        export.save(update_fields=["content_json", "content_html", "status", "ready_at"])
        return export
