"""The daily journal of money movements: every charge and refund that moved money at the
provider, one row each, with the provider's own reference (Stripe's payment_intent of a
charge, ``re_...`` of a refund) so it reconciles line by line with the provider's payouts.

Pending refunds have not moved yet and failed ones never will: neither is a row. A zero
amount (a trace kept for the history) is not money: not a row either.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from registrations.models import Payment, Receipt
from registrations.receipts import payment_method


@dataclass
class JournalRow:
    at: datetime
    kind: str  # "charge" | "refund"
    kind_label: str
    receipt: str
    order: str
    family: str
    amount: Decimal  # + received, - given back
    method: str
    reference: str
    currency: str


def journal(*, start: date, end: date) -> list[JournalRow]:
    """Money movements from ``start`` to ``end`` (both included, local days), oldest first."""
    zone = timezone.get_default_timezone()
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    payments = (
        Payment.objects.filter(
            status=Payment.Status.SUCCEEDED,
            amount__gt=0,
            created_at__gte=since,
            created_at__lt=until,
        )
        .select_related("order__family")
        .order_by("created_at", "pk")
    )
    receipts = {
        payment_id: f"R-{year}-{sequence:06d}"
        for payment_id, year, sequence in Receipt.objects.filter(payment__in=payments).values_list(
            "payment_id", "year", "sequence"
        )
    }
    rows = []
    for p in payments:
        family = p.order.family
        refund = p.kind == Payment.Kind.REFUND
        rows.append(
            JournalRow(
                at=timezone.localtime(p.created_at),
                kind=p.kind,
                kind_label=p.get_kind_display(),
                receipt=receipts.get(p.pk, ""),
                order=p.order.number,
                family=f"{family.guardian_last_name}, {family.guardian_first_name} (#{family.pk})",
                amount=-p.amount if refund else p.amount,
                method=payment_method(p.provider),
                reference=p.provider_reference,
                currency=p.currency.upper(),
            )
        )
    return rows
