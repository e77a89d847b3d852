"""Closing an account: what the town's accounting must keep is kept and de-identified, the
rest is deleted, the family gets a confirmation, and a clerk sees only that it happened.

The writes below touch other apps' rows directly (persons, health forms, waiting-list entries,
cart, outbox): no service of theirs deletes or de-identifies, and this is the one place that
decides what a closure removes. Orders, registrations and payments are never modified: they
stay attached to the de-identified family file.
"""

from datetime import date, datetime

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Family, Person
from camp.models import Attendance
from finances.models import PayerInfo
from health.models import AccompanimentRequest, HealthForm
from portal.emails import queue_email
from portal.errors import DomainError
from portal.models import OutgoingEmail
from registrations.models import Cart, Order, Payment, Registration
from waitlist.models import WaitlistEntry

from ..models import AccountClosure, DataExport

CLOSED_EMAIL_DOMAIN = "closed.invalid"


@transaction.atomic
def close_account(*, family: Family, now: datetime | None = None) -> AccountClosure:
    now = now or timezone.now()
    family = Family.objects.select_for_update().select_related("user").get(pk=family.pk)
    if AccountClosure.objects.filter(family=family).exists():
        raise DomainError(_("This account is already closed."), code="already_closed")
    if Order.objects.filter(family=family, status=Order.Status.PENDING_PAYMENT).exists():
        raise DomainError(
            _("A payment is waiting: pay it or cancel it from the cart before closing."),
            code="pending_payment",
        )
    upcoming = Registration.objects.filter(
        order__family=family,
        status__in=[Registration.Status.CONFIRMED, Registration.Status.HELD],
        week__ends_on__gte=timezone.localdate(now),
    )
    if upcoming.exists():
        raise DomainError(
            _(
                "Your children are registered for weeks still to come. Contact the recreation "
                "department to cancel them before closing your account."
            ),
            code="upcoming_registrations",
        )
    user = family.user
    email, language = user.email, family.preferred_language
    confirmation = queue_email(
        to=email,
        template="account_closed",
        context={"family": family, "closed_at": now},
        language=language,
        kind="account_closed",
    )

    # Deleted: health data, requests, waiting lines, cart, attendance, exports.
    HealthForm.objects.filter(person__family=family).delete()
    AccompanimentRequest.objects.filter(person__family=family).delete()
    WaitlistEntry.objects.filter(family=family).delete()
    Cart.objects.filter(family=family).delete()
    Attendance.objects.filter(person__family=family).delete()
    DataExport.objects.filter(family=family).delete()
    # The RL-24 payer is a tax record once the family paid something: the slips of the years
    # paid must still be issued (and amended) and kept, so it stays, encrypted, until
    # retention removes the family's orders. With nothing ever paid it has no purpose: gone.
    if not Payment.objects.filter(order__family=family, kind=Payment.Kind.CHARGE).exists():
        PayerInfo.objects.filter(family=family).delete()
    # Persons: those named on a registration (receipts, tax slips) are kept de-identified.
    billed = set(
        Registration.objects.filter(order__family=family).values_list("person_id", flat=True)
    )
    Person.objects.filter(family=family).exclude(pk__in=billed).delete()
    for person in Person.objects.filter(pk__in=billed):
        person.first_name = _("Child")
        person.last_name = f"#{person.pk}"
        person.birth_date = date(person.birth_date.year, 1, 1)  # the age band, not the day
        person.allergies = person.medical_notes = person.authorized_pickups = ""
        person.save()
    # The emails' bodies go; what was sent when stays (without the address).
    closed_email = f"closed-{user.pk}@{CLOSED_EMAIL_DOMAIN}"
    others = OutgoingEmail.objects.filter(to__iexact=email).exclude(pk=confirmation.pk)
    others.filter(status=OutgoingEmail.Status.PENDING).update(
        status=OutgoingEmail.Status.FAILED, last_error="account closed"
    )
    others.update(to=closed_email, body_text="", body_html="", render_with="", render_arguments={})

    family.guardian_first_name = _("Closed file")
    family.guardian_last_name = f"F-{family.pk:06d}"
    family.second_guardian_name = family.address = family.city = ""
    family.postal_code = family.phone = ""
    family.residency_review_since = None
    if family.rejection_reason:
        family.rejection_reason = "—"
    family.save()

    # The login: impossible from now on, and the address free for a new account.
    EmailAddress.objects.filter(user=user).delete()
    _delete_authenticators(user)
    user.email = closed_email
    user.first_name = user.last_name = ""
    user.is_active = False
    user.set_unusable_password()  # also ends every open session (its hash changes)
    user.save()
    return AccountClosure.objects.create(family=family, closed_at=now)


def _delete_authenticators(user) -> None:
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=user).delete()
