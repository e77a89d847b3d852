"""Provider news: payments confirmed once (invariant 5), late payments that respect the
waiting line (invariant 6), duplicates and wrong amounts refunded, refunds followed.

Every event, from a webhook, the simulated page, the success page or a checkout found
complete, goes through ``handle_payment_event``; each event id is stored once, in the
same transaction as its effect.
"""

import logging
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from activities.locking import lock_groups
from activities.selectors import group_availability
from portal.compiled import CompiledDelete, CompiledQuery
from portal.locking import busy_on_lock_timeout

from .. import rules
from ..models import CartItem, Order, Payment, Receipt, Registration, WebhookEvent
from ..payments import PaymentEvent
from ..selectors import forget_cart_count
from . import lifecycle, refunds
from .emails import email_payment_confirmation, order_lines
from .receipts import issue_receipt

logger = logging.getLogger(__name__)
CURRENCY = "cad"


def handle_payment_event(*, event: PaymentEvent, now: datetime | None = None) -> str:
    """Apply one event; returns what it did ("confirmed", "replay", "ignored"...)."""
    now = now or timezone.now()
    with busy_on_lock_timeout(), transaction.atomic():
        try:
            with transaction.atomic():
                WebhookEvent.objects.create(
                    provider=event.provider, event_id=event.event_id, event_type=event.event_type
                )
        except IntegrityError:
            return "replay"
        if event.outcome == PaymentEvent.REFUND:
            return refunds.apply_refund_news(event=event, now=now)
        order = _order_for(event)
        if order is None:
            if event.outcome != PaymentEvent.IGNORED:
                logger.warning("Payment event %s names no known order", event.event_id)
            return "unknown_order"
        if event.outcome == PaymentEvent.PAID:
            return confirm_payment(order_id=order.pk, event=event, now=now)
        if event.outcome == PaymentEvent.FAILED:
            return _declined(order_id=order.pk, now=now)
        if event.outcome == PaymentEvent.EXPIRED:
            return _checkout_expired(order_id=order.pk, event=event, now=now)
        return "ignored"


_CHARGES = CompiledQuery(
    lambda *, provider, reference: Payment.objects.filter(
        provider=provider, kind=Payment.Kind.CHARGE, provider_reference=reference
    ).values_list("pk", flat=True)[:1]
)
_ORDER_BY_PUBLIC_ID = CompiledQuery(
    lambda *, provider, public_id: Order.objects.filter(provider=provider, public_id=public_id)
)


def _order_for(event: PaymentEvent) -> Order | None:
    if event.order_public_id:
        try:
            public_id = UUID(str(event.order_public_id))
        except ValueError:  # not a UUID: not one of ours
            return None
        return _ORDER_BY_PUBLIC_ID.first(provider=event.provider, public_id=public_id)
    if event.provider_reference:
        return Order.objects.filter(
            provider=event.provider, provider_reference=event.provider_reference
        ).first()
    return None


def _declined(*, order_id: int, now: datetime) -> str:
    """A declined payment ends a cart's order (its places come back); a waiting-list offer
    keeps its place until its deadline, whatever the bank said: the family may try again."""
    order = lifecycle.locked_order(order_id)
    if order.status != Order.Status.PENDING_PAYMENT or order.source != Order.Source.CART:
        return "ignored"
    lifecycle.mark_released(order=order, status=Order.Status.DECLINED, now=now)
    return "released"


def _checkout_expired(*, order_id: int, event: PaymentEvent, now: datetime) -> str:
    """A lapsed checkout ends the order only if it is the order's own and the hold is over:
    an offer held 48 h outlives a session of at most 24 h, and gets a new one."""
    order = lifecycle.locked_order(order_id)
    current = event.provider_reference == order.provider_reference
    if order.status != Order.Status.PENDING_PAYMENT or not current or order.hold_expires_at > now:
        return "ignored"
    lifecycle.mark_released(order=order, status=Order.Status.EXPIRED, now=now)
    return "released"


def confirm_payment(*, order_id: int, event: PaymentEvent, now: datetime | None = None) -> str:
    """Paid: the holds become confirmed registrations, once.

    Returns "confirmed", "already" (this payment was applied), "duplicate_refunded" (a
    second payment of a paid order), "mismatch_refunded" (not the amount or currency the
    family saw) or "refunded" (a late payment with no place left for it).
    """
    now = now or timezone.now()
    order = lifecycle.locked_order(order_id)
    amount = order.total if event.amount is None else event.amount
    if event.payment_reference and _CHARGES.all(
        provider=event.provider, reference=event.payment_reference
    ):
        return "already"
    if amount != order.total or (event.currency or CURRENCY).lower() != CURRENCY:
        logger.error(
            "Payment of %s %s for %s (total %s)", amount, event.currency, order, order.total
        )
        _refund_unexpected(order=order, event=event, amount=amount, reason="amount_mismatch")
        return "mismatch_refunded"
    if order.status in (Order.Status.PAID, Order.Status.REFUNDED):
        _refund_unexpected(order=order, event=event, amount=amount, reason="duplicate_payment")
        return "duplicate_refunded"
    registrations = order_lines(order)
    on_time = (
        order.status == Order.Status.PENDING_PAYMENT
        and order.hold_expires_at > now
        and all(r.status == Registration.Status.HELD for r in registrations)
    )
    if not on_time and not _late_lines_fit(order=order, registrations=registrations, now=now):
        charge, _receipt = _record_charge(order=order, event=event, amount=amount)
        refunds.refund_late_payment(
            order=order, registrations=registrations, charge=charge, now=now
        )
        return "refunded"
    lifecycle.mark_paid(
        order=order,
        registrations=registrations,
        provider_reference=event.provider_reference,
        now=now,
    )
    _remove_paid_from_cart(order=order, registrations=registrations)
    # The receipt's number locks the year's counter until commit, serializing payments:
    # taken as late as the email, which names the receipt, allows.
    _charge, receipt = _record_charge(order=order, event=event, amount=amount)
    email_payment_confirmation(order=order, receipt=receipt)
    return "confirmed"


def _late_lines_fit(*, order: Order, registrations: list[Registration], now: datetime) -> bool:
    """Under the group locks: the rules again, and the places the public may take (the
    waiting line first). The order's own lines do not count against it."""
    lock_groups({r.group_id for r in registrations})
    # The family's other stale holds would trip the database's one-place-per-child rules.
    lifecycle.release_stale(
        Order.objects.filter(family=order.family_id).exclude(pk=order.pk), now=now
    )
    verdicts = rules.evaluate(
        family=order.family,
        lines=[(r.person, r.group) for r in registrations],
        plans=rules.person_plans(
            persons={r.person for r in registrations}, now=now, exclude_order_id=order.pk
        ),
        availability=group_availability(group_ids={r.group_id for r in registrations}, now=now),
        now=now,
        policy=rules.LATE_PAYMENT,
    )
    return all(v.refusal is None for v in verdicts)


def _record_charge(
    *, order: Order, event: PaymentEvent, amount: Decimal
) -> tuple[Payment, Receipt | None]:
    """The charge and its numbered receipt (none for a zero amount)."""
    charge = Payment.objects.create(
        order=order,
        kind=Payment.Kind.CHARGE,
        provider=event.provider,
        provider_reference=event.payment_reference,
        amount=amount,
        currency=(event.currency or CURRENCY).lower(),
    )
    return charge, issue_receipt(payment=charge)


def _refund_unexpected(*, order: Order, event: PaymentEvent, amount: Decimal, reason: str) -> None:
    """Money we did not ask for (a second payment, another amount): recorded and given
    back in full, automatically; the order itself is left as it was."""
    charge, _receipt = _record_charge(order=order, event=event, amount=amount)
    refunds.record_refund(charge=charge, amount=amount, reason=reason)


def _remove_paid_from_cart(*, order: Order, registrations: list[Registration]) -> None:
    paid = {(r.person_id, r.group_id) for r in registrations}
    lines = _CART_LINE_KEYS.all(family_id=order.family_id)
    _CART_LINES.delete(ids=[pk for pk, *key in lines if tuple(key) in paid])
    forget_cart_count(family_id=order.family_id)


_CART_LINES = CompiledDelete(lambda *, ids: CartItem.objects.filter(pk__in=ids))
_CART_LINE_KEYS = CompiledQuery(
    lambda *, family_id: CartItem.objects.filter(cart__family=family_id).values_list(
        "pk", "person_id", "group_id"
    )
)
