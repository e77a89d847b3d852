"""Every payment and every refund gets a numbered receipt, in the transaction that records
it: « R-2027-000042 », sequential per year, with no gap and never reused.

The year's counter row is taken and bumped in one statement (an upsert that locks the row
until the recording transaction commits): two payments at once wait for each other a moment
instead of taking the same number, and a transaction that rolls back takes its number back
with it (a database sequence would leave a gap). The lock comes after the order's, always
in that order.
"""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from portal.compiled import CompiledQuery

from ..models import Payment, Receipt, ReceiptCounter

# Every payment asks for it: compiled once per process (``portal.compiled``).
_RECEIPT_OF = CompiledQuery(lambda *, payment_id: Receipt.objects.filter(payment=payment_id)[:1])


def issue_receipt(*, payment: Payment, now: datetime | None = None) -> Receipt | None:
    """The payment's receipt (made once). A zero amount is a trace, not money: none."""
    if payment.amount <= Decimal("0"):
        return None
    existing = _RECEIPT_OF.first(payment_id=payment.pk)
    if existing is not None:
        return existing
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("issue_receipt runs inside the transaction that records the payment")
    now = now or timezone.now()
    year = timezone.localtime(now).year
    return Receipt.objects.create(
        payment=payment, year=year, sequence=_next_number(year), issued_at=now
    )


def _next_number(year: int) -> int:
    table = ReceiptCounter._meta.db_table
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last) VALUES (%s, 1) "
            f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [year],
        )
        return cursor.fetchone()[0]
