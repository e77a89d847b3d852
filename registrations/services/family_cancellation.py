"""A family cancels one line from « Mon dossier »: one child, one week, with its services.

The season's policy decides the refund: what was paid for the line (its own frozen price,
family-pricing reduction included: ``registrations.pricing``), minus the season's
administration fee, as long as the week starts in ``refund_until_days`` days or more;
nothing after that (a clerk can still refund with a reason, ``refunds.cancel_and_refund``).
The quote the family sees and the refund made are computed by the same function, under
the order's lock, so the amount refunded is the amount shown. The freed place goes to the
waiting line through its sweep, as every freed place does.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Family
from activities.models import Season
from portal.errors import DomainError

from ..models import Order, Payment, Registration
from . import lifecycle
from .emails import email_family
from .refunds import main_charge, record_refund

logger = logging.getLogger(__name__)
FAMILY_REASON = "family_cancellation"


@dataclass
class CancellationQuote:
    """What cancelling this line does: the lines that go, what they cost, what comes back."""

    registration: Registration
    lines: list[Registration]
    paid: Decimal
    fee: Decimal
    refund: Decimal
    refund_deadline: date
    in_time: bool

    @property
    def kept(self) -> Decimal:
        return self.paid - self.refund


def refund_deadline(*, season: Season, starts_on: date) -> date:
    """The last day a cancellation is refunded under the season's policy."""
    return starts_on - timedelta(days=season.refund_until_days)


def cancellable_lines(*, family: Family):
    """The family's confirmed lines it may cancel itself (scoped: a foreign id is a 404)."""
    return Registration.objects.filter(
        order__family=family,
        order__status=Order.Status.PAID,
        status=Registration.Status.CONFIRMED,
    ).select_related("person", "group__activity", "week__season", "order")


def quote(*, family: Family, registration_id: int, today: date | None = None) -> CancellationQuote:
    """The refund the family would get for this line now (raises ``DoesNotExist`` for a
    line that is not the family's, or not confirmed)."""
    registration = cancellable_lines(family=family).get(pk=registration_id)
    return _quote(registration, today=today or timezone.localdate())


def _quote(registration: Registration, *, today: date) -> CancellationQuote:
    week = registration.week
    if week.starts_on <= today:
        raise DomainError(
            _("This week has started: it can no longer be cancelled online."),
            code="week_started",
        )
    lines = _line_with_its_services(registration)
    paid = sum((r.price for r in lines), Decimal("0"))
    deadline = refund_deadline(season=week.season, starts_on=week.starts_on)
    in_time = today <= deadline
    fee = min(week.season.refund_admin_fee, paid) if in_time else Decimal("0")
    refund = paid - fee if in_time else Decimal("0")
    return CancellationQuote(
        registration=registration,
        lines=lines,
        paid=paid,
        fee=fee,
        refund=refund,
        refund_deadline=deadline,
        in_time=in_time,
    )


def _line_with_its_services(registration: Registration) -> list[Registration]:
    """A camp takes the same week's services of the child with it (they need the camp); a
    service alone goes alone."""
    if registration.kind != "camp":
        return [registration]
    services = (
        Registration.objects.filter(
            order__family_id=registration.order.family_id,
            person_id=registration.person_id,
            week_id=registration.week_id,
            status=Registration.Status.CONFIRMED,
        )
        .exclude(kind="camp")
        .select_related("person", "group__activity", "week__season", "order")
    )
    return [registration, *services]


def cancel_by_family(
    *,
    family: Family,
    registration_id: int,
    by,
    reason: str = "",
    expected_refund: Decimal | None = None,
    now: datetime | None = None,
) -> CancellationQuote:
    """Cancel the line and its services, refund under the policy, tell the family.

    ``expected_refund`` is the amount the confirmation page showed: if the quote changed
    meanwhile (the deadline passed at midnight), nothing is done and the family sees the
    new amount before confirming again."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        registration = cancellable_lines(family=family).get(pk=registration_id)
        orders = {
            r.order_id: lifecycle.locked_order(r.order_id)
            for r in sorted(_line_with_its_services(registration), key=lambda r: r.order_id)
        }
        # Re-read under the locks: a clerk or another tab may have cancelled meanwhile.
        registration = cancellable_lines(family=family).get(pk=registration_id)
        result = _quote(registration, today=today)
        if expected_refund is not None and expected_refund != result.refund:
            raise DomainError(
                _("The refund changed since you opened this page: check the new amount."),
                code="quote_changed",
            )
        _refund_lines(result, orders=orders, by=by, reason=reason, now=now)
        email_family(
            order=registration.order,
            template="family_cancellation",
            registrations=result.lines,
            quote=result,
        )
        logger.info(
            "%s: line %s cancelled by the family, %s refunded",
            registration.order,
            registration.pk,
            result.refund,
        )
    return result


def _refund_lines(
    result: CancellationQuote, *, orders: dict[int, Order], by, reason: str, now: datetime
) -> None:
    """One refund row per line, so staff see who cancelled what and why; the fee is kept
    from the first lines. A line refunded nothing still gets its row (amount 0, nothing
    sent to the provider): the trace of who cancelled it."""
    fee_left = result.fee if result.in_time else None
    note = f"{FAMILY_REASON}: {reason.strip()}"[:255] if reason.strip() else FAMILY_REASON
    for order_id, order in orders.items():
        lines = [r for r in result.lines if r.order_id == order_id]
        lifecycle.refund_lines(order=order, registrations=lines, now=now)
        charge = main_charge(order)
        for line in lines:
            if fee_left is None:
                amount = Decimal("0")
            else:
                kept = min(fee_left, line.price)
                fee_left -= kept
                amount = line.price - kept
            if amount > 0 and charge is not None:
                record_refund(charge=charge, amount=amount, reason=note, registration=line, by=by)
            else:
                Payment.objects.create(
                    order=order,
                    kind=Payment.Kind.REFUND,
                    status=Payment.Status.SUCCEEDED,
                    provider=order.provider,
                    refund_of=charge,
                    registration=line,
                    amount=Decimal("0"),
                    reason=note,
                    recorded_by=by,
                )
