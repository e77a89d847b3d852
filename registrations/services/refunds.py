"""Refunds: decided and recorded in our transaction, sent to the provider after commit
by a Celery task that retries, then followed through the provider's news (ours, and
those made in its dashboard). A failed refund is visible to staff and emailed to them.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.emails import queue_email
from portal.errors import DomainError

from ..models import Cart, CartItem, Order, Payment, Registration
from ..payments import PaymentEvent, ProviderError, RefundNews, get_provider
from ..selectors import forget_cart_count
from . import lifecycle
from .emails import email_family, order_lines
from .receipts import issue_receipt

logger = logging.getLogger(__name__)
REFUND = Payment.Kind.REFUND


def record_refund(
    *,
    charge: Payment,
    amount: Decimal,
    reason: str,
    registration: Registration | None = None,
    by=None,
) -> Payment:
    """A refund decided now, sent once the transaction commits."""
    refund = Payment.objects.create(
        order_id=charge.order_id,
        kind=REFUND,
        status=Payment.Status.PENDING,
        provider=charge.provider,
        refund_of=charge,
        registration=registration,
        amount=amount,
        currency=charge.currency,
        reason=reason,
        recorded_by=by,
    )
    issue_receipt(payment=refund)
    transaction.on_commit(lambda: enqueue_refund(refund.pk))
    return refund


def enqueue_refund(payment_id: int) -> None:
    """Hand the refund to Celery; with the broker down, the periodic retry sends it."""
    from ..tasks import send_refund

    try:
        send_refund.apply_async((payment_id,), retry=False)
    except Exception:
        logger.warning("Broker unreachable; refund %s left for the retry sweep", payment_id)


def send_refund(*, payment_id: int) -> str:
    """Ask the provider for a recorded refund. Raises ProviderError (the task retries);
    the idempotency key is the refund's own id, so a retry never refunds twice."""
    refund = Payment.objects.select_related("order", "refund_of").get(pk=payment_id)
    if refund.status != Payment.Status.PENDING or refund.provider_reference:
        return "already"
    result = get_provider(refund.provider).refund(
        payment_reference=refund.refund_of.provider_reference,
        amount=refund.amount,
        key=str(refund.pk),
        order=refund.order,
    )
    with transaction.atomic():
        refund = Payment.objects.select_for_update().get(pk=payment_id)
        refund.provider_reference = result.reference
        refund.save(update_fields=["provider_reference"])
        _set_status(refund, result.status)
    return result.status


def retry_unsent_refunds(*, older_than_seconds: int = 60, now: datetime | None = None) -> int:
    """Refunds recorded but never accepted by the provider (broker or provider down)."""
    now = now or timezone.now()
    unsent = Payment.objects.filter(
        kind=REFUND,
        status=Payment.Status.PENDING,
        provider_reference="",
        created_at__lte=now - timedelta(seconds=older_than_seconds),
    )
    sent = 0
    for payment_id in unsent.values_list("pk", flat=True):
        try:
            send_refund(payment_id=payment_id)
            sent += 1
        except ProviderError:
            logger.warning("Refund %s refused again by the provider", payment_id)
    return sent


def main_charge(order: Order) -> Payment | None:
    """The payment that paid the order (not one refunded as unexpected)."""
    return (
        order.payments.filter(kind=Payment.Kind.CHARGE)
        .exclude(refunds_made__reason__in=("duplicate_payment", "amount_mismatch"))
        .order_by("created_at")
        .first()
    )


def refund_late_payment(
    *,
    order: Order,
    registrations: list[Registration],
    charge: Payment,
    now: datetime,
) -> None:
    """Invariant 6: paid after its hold, with no place left: refunded in full, the lines back
    in the cart (where the waiting list is offered), and the family told."""
    lifecycle.refund_lines(order=order, registrations=registrations, now=now)
    record_refund(charge=charge, amount=charge.amount, reason="late_payment_no_place")
    cart, _created = Cart.objects.get_or_create(family=order.family)
    CartItem.objects.bulk_create(
        [CartItem(cart=cart, person_id=r.person_id, group_id=r.group_id) for r in registrations],
        ignore_conflicts=True,
    )
    forget_cart_count(family_id=order.family_id)
    email_family(order=order, template="order_late_refund", registrations=registrations)


def cancel_and_refund(
    *, order: Order, by, reason: str, registration_ids: Iterable[int] | None = None
) -> list[Payment]:
    """Staff « Annuler et rembourser »: the chosen lines of a paid order (all by default)
    are cancelled and refunded at their price; a camp line takes its week's services of
    the same order with it (they need the camp). The family is told; the freed places
    go to the waiting line through its sweep."""
    if not reason.strip():
        raise DomainError(_("Give a reason for the refund."), code="reason_required")
    now = timezone.now()
    with transaction.atomic():
        order = lifecycle.locked_order(order.pk)
        if order.status != Order.Status.PAID:
            raise DomainError(_("Only a paid order can be refunded."), code="not_paid")
        active = [r for r in order_lines(order) if r.status == Registration.Status.CONFIRMED]
        chosen = _with_their_services(active, set(registration_ids or [r.pk for r in active]))
        charge = main_charge(order)
        if not chosen or charge is None:
            raise DomainError(_("Nothing left to refund on this order."), code="nothing_to_refund")
        lifecycle.refund_lines(order=order, registrations=chosen, now=now)
        refunds = [
            record_refund(charge=charge, amount=r.price, reason=reason, registration=r, by=by)
            for r in chosen
        ]
        amount = sum((r.price for r in chosen), Decimal("0"))
        email_family(order=order, template="order_cancelled", registrations=chosen, amount=amount)
        logger.info("%s: %s refunded by %s (%s)", order, amount, by, reason)
    return refunds


def _with_their_services(active: list[Registration], ids: set[int]) -> list[Registration]:
    camp_weeks = {(r.person_id, r.week_id) for r in active if r.pk in ids and r.kind == "camp"}
    kept_camps = {(r.person_id, r.week_id) for r in active if r.pk not in ids and r.kind == "camp"}
    orphaned = camp_weeks - kept_camps
    return [r for r in active if r.pk in ids or (r.person_id, r.week_id) in orphaned]


# --- The provider's news about refunds --------------------------------------------------


def apply_refund_news(*, event: PaymentEvent, now: datetime) -> str:
    """``refund.*`` and ``charge.refunded``: our refunds change status; a refund made in
    the provider's dashboard is recorded, and a payment refunded in full frees its
    order's places. Staff are told of failures and of refunds made outside the portal."""
    charge = Payment.objects.filter(
        provider=event.provider,
        kind=Payment.Kind.CHARGE,
        provider_reference=event.payment_reference,
    ).first()
    if charge is None:
        logger.warning("Refund news %s for an unknown payment", event.event_id)
        return "unknown_payment"
    for news in event.refunds:
        _apply_one(charge=charge, news=news)
    if event.refunded_total is not None:
        recorded = _refunded(charge)
        if event.refunded_total > recorded:
            _record_outside_refund(charge, event.refunded_total - recorded, reference="")
    _free_places_if_fully_refunded(charge=charge, now=now)
    return "refund_updated"


def _apply_one(*, charge: Payment, news: RefundNews) -> None:
    refunds = Payment.objects.select_for_update().filter(kind=REFUND, provider=charge.provider)
    refund = refunds.filter(provider_reference=news.reference).first()
    if refund is None:
        # Recorded earlier from ``charge.refunded`` without its id? Give it its id.
        refund = refunds.filter(
            refund_of=charge, provider_reference="", reason="provider_dashboard", amount=news.amount
        ).first()
        if refund is None:
            _record_outside_refund(
                charge, news.amount, reference=news.reference, status=news.status
            )
            return
        refund.provider_reference = news.reference
        refund.save(update_fields=["provider_reference"])
    _set_status(refund, news.status)


def _record_outside_refund(
    charge: Payment, amount: Decimal, *, reference: str, status: str = "succeeded"
) -> None:
    refund = Payment.objects.create(
        order_id=charge.order_id,
        kind=REFUND,
        status=status,
        provider=charge.provider,
        provider_reference=reference,
        refund_of=charge,
        amount=amount,
        currency=charge.currency,
        reason="provider_dashboard",
    )
    issue_receipt(payment=refund)
    _tell_staff(refund, template="staff_refund_outside")


def _set_status(refund: Payment, status: str) -> None:
    if status == refund.status:
        return
    refund.status = status
    refund.save(update_fields=["status"])
    if status == Payment.Status.FAILED:
        _tell_staff(refund, template="staff_refund_failed")


def _refunded(charge: Payment) -> Decimal:
    total = charge.refunds_made.exclude(status=Payment.Status.FAILED).aggregate(s=Sum("amount"))
    return total["s"] or Decimal("0")


def _free_places_if_fully_refunded(*, charge: Payment, now: datetime) -> None:
    order = lifecycle.locked_order(charge.order_id)
    if order.status == Order.Status.PAID and _refunded(charge) >= charge.amount:
        lifecycle.refund_lines(order=order, registrations=order.registrations.all(), now=now)


def _tell_staff(refund: Payment, *, template: str) -> None:
    url = reverse("admin:registrations_order_change", args=[refund.order_id])
    queue_email(
        to=settings.STAFF_NOTIFICATION_EMAIL,
        template=template,
        language=settings.LANGUAGE_CODE[:2],
        context={"refund": refund, "order": refund.order, "admin_url": settings.SITE_URL + url},
    )
