"""Writes on families and persons: sign-up, the family file, staff approval."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.emails import queue_email
from portal.errors import DomainError

from .models import Family, Person, User


class ApprovalRefused(DomainError):
    """A decision staff cannot take (for example a rejection without a reason)."""

    code = "approval_refused"


class PersonInUse(DomainError):
    """The person has registrations and cannot be removed from the file."""

    code = "person_in_use"


FAMILY_FIELDS = (
    "guardian_first_name",
    "guardian_last_name",
    "second_guardian_name",
    "address",
    "city",
    "postal_code",
    "phone",
    "preferred_language",
)
PERSON_FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "relationship",
    "allergies",
    "medical_notes",
    "authorized_pickups",
)


def create_family(*, user: User, data: dict) -> Family:
    """A new family file is always pending: staff approve it in the admin."""
    values = {field: data[field] for field in FAMILY_FIELDS if field in data}
    values["postal_code"] = normalise_postal_code(values.get("postal_code", ""))
    return Family.objects.create(
        user=user,
        status=Family.Status.PENDING,
        privacy_policy_version=settings.PRIVACY_POLICY_VERSION,
        privacy_policy_accepted_at=timezone.now(),
        **values,
    )


def accept_privacy_policy(*, family: Family) -> Family:
    """The family read and accepted the current version of the privacy policy."""
    family.privacy_policy_version = settings.PRIVACY_POLICY_VERSION
    family.privacy_policy_accepted_at = timezone.now()
    family.save(update_fields=["privacy_policy_version", "privacy_policy_accepted_at"])
    return family


def must_accept_privacy_policy(family: Family | None) -> bool:
    return family is not None and family.privacy_policy_version != settings.PRIVACY_POLICY_VERSION


ADDRESS_FIELDS = ("address", "city", "postal_code")


@transaction.atomic
def update_family(*, family: Family, data: dict) -> Family:
    """Save the family file. A resident family of an approved file that moves goes back to
    review: non-resident prices and dates until staff confirm the new address (staff are
    emailed). Orders already paid or pending keep the prices they were made with."""
    # From the database: a ModelForm has already copied the new values onto ``family``.
    before = Family.objects.filter(pk=family.pk).values(*ADDRESS_FIELDS).get()
    for field in FAMILY_FIELDS:
        if field in data:
            setattr(family, field, data[field])
    family.postal_code = normalise_postal_code(family.postal_code)
    moved = any(_differs(before[field], getattr(family, field)) for field in ADDRESS_FIELDS)
    updated = [*FAMILY_FIELDS]
    if moved and family.is_approved and family.is_resident:
        family.is_resident = False
        family.residency_review_since = timezone.now()
        updated += ["is_resident", "residency_review_since"]
        queue_email(
            to=settings.STAFF_NOTIFICATION_EMAIL,
            template="family_residency_review",
            context={"family": family},
            language=settings.LANGUAGE_CODE[:2],
        )
    family.save(update_fields=updated)
    return family


def _differs(old: str, new: str) -> bool:
    return " ".join(old.split()).casefold() != " ".join(new.split()).casefold()


@transaction.atomic
def decide_residency(*, families: Iterable[Family], resident: bool) -> int:
    """Staff checked the address: resident or not, the review is over. Returns the count."""
    ids = [family.pk for family in families]
    return Family.objects.filter(pk__in=ids).update(
        is_resident=resident, residency_review_since=None
    )


def normalise_postal_code(value: str) -> str:
    compact = value.replace(" ", "").upper()
    return f"{compact[:3]} {compact[3:]}" if len(compact) == 6 else value.upper()


def add_person(*, family: Family, data: dict) -> Person:
    values = {field: data[field] for field in PERSON_FIELDS if field in data}
    return Person.objects.create(family=family, **values)


def update_person(*, person: Person, data: dict) -> Person:
    for field in PERSON_FIELDS:
        if field in data:
            setattr(person, field, data[field])
    person.save(update_fields=[*PERSON_FIELDS])
    return person


def remove_person(*, person: Person) -> None:
    """A person with registrations stays: rosters and invoices refer to them."""
    try:
        with transaction.atomic():
            person.delete()
    except ProtectedError as exc:
        raise PersonInUse(str(person)) from exc


@transaction.atomic
def approve_families(*, families: Iterable[Family], by: User) -> int:
    """Approve each family not yet approved and queue its approval email. Returns the count."""
    now = timezone.now()
    count = 0
    for family in _lock(families):
        if family.status == Family.Status.APPROVED:
            continue
        family.status = Family.Status.APPROVED
        family.approved_by = by
        family.approved_at = now
        family.rejection_reason = ""
        family.save(update_fields=["status", "approved_by", "approved_at", "rejection_reason"])
        _queue_decision_email(family=family, template="family_approved")
        count += 1
    return count


@transaction.atomic
def reject_families(*, families: Iterable[Family], by: User, reason: str) -> int:
    """Reject each family with the reason it will read in its email. Returns the count."""
    reason = reason.strip()
    if not reason:
        raise ApprovalRefused(
            _("A reason is required to reject an account."), code="reason_required"
        )
    now = timezone.now()
    count = 0
    for family in _lock(families):
        family.status = Family.Status.REJECTED
        family.approved_by = by
        family.approved_at = now
        family.rejection_reason = reason
        family.save(update_fields=["status", "approved_by", "approved_at", "rejection_reason"])
        _queue_decision_email(family=family, template="family_rejected")
        count += 1
    return count


def _lock(families: Iterable[Family]) -> list[Family]:
    """Lock the rows so two clerks deciding at once do not send two emails."""
    ids = [family.pk for family in families]
    return list(
        Family.objects.select_for_update().select_related("user").filter(pk__in=ids).order_by("pk")
    )


def _queue_decision_email(*, family: Family, template: str) -> None:
    queue_email(
        to=family.user.email,
        template=template,
        context={"family": family},
        language=family.preferred_language,
        kind=template,
    )
