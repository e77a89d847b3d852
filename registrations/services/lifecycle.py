"""The order lifecycle's transitions, each one function (see ``Order``'s docstring).

cart -> ``create_pending_order`` (pending_payment, holds) -> ``mark_paid`` |
``release`` (expired, cancelled, declined) -> ``refund_lines`` (refunded, whole or per
line). Callers hold the order's row lock (``locked_order``) inside a transaction; the
transitions themselves make no network call. A place that comes back is not announced:
the waiting list's sweep reads the facts (``waitlist.services.serve_waiting_lines``).
"""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Family, Person
from activities.models import Group
from portal.compiled import CompiledQuery

from .. import pricing
from ..models import Order, Registration

Status = Order.Status


# Every payment event locks its order first: compiled once per process.
_LOCKED_ORDER = CompiledQuery(
    lambda *, order_id: (
        Order.objects.select_for_update(of=("self",))
        .select_related("family__user")
        .filter(pk=order_id)
    )
)


def locked_order(order_id: int) -> Order:
    """The order's row, locked until the end of the caller's transaction."""
    order = _LOCKED_ORDER.first(order_id=order_id)
    if order is None:
        raise Order.DoesNotExist(f"no order {order_id}")
    return order


def create_pending_order(
    *,
    family: Family,
    lines: list[tuple[Person, Group]],
    source: str,
    hold_until: datetime,
    language: str,
    now: datetime | None = None,
) -> Order:
    """A pending order and its ``held`` registrations, priced for the family now by the
    family-pricing rule (``registrations.pricing``, as the cart shows them), prices and
    ranks frozen on the lines: the amount the family sees is the amount it pays. The
    caller locked the groups and checked the rules."""
    prices = pricing.price_family_lines(
        family=family, lines=[(person.pk, group) for person, group in lines], now=now
    )
    order = Order.objects.create(
        family=family,
        source=source,
        total=sum((p.price for p in prices), Decimal("0")),
        provider=settings.PAYMENT_PROVIDER,
        hold_expires_at=hold_until,
        language=language,
    )
    Registration.objects.bulk_create(
        Registration(
            order=order,
            person=person,
            group=group,
            week_id=group.week_id,
            kind=group.activity.kind,
            status=Registration.Status.HELD,
            price=price.price,
            family_rank=price.rank,
            family_reduction=price.reduction,
            hold_expires_at=hold_until,
        )
        for (person, group), price in zip(lines, prices, strict=True)
    )
    return order


def mark_released(*, order: Order, status: str, now: datetime) -> None:
    """Pending -> expired, cancelled or declined: its held places come back."""
    if status not in Order.RELEASED:
        raise ValueError(f"not a released status: {status}")
    order.status = status
    order.save(update_fields=["status"])
    order.registrations.filter(status=Registration.Status.HELD).update(
        status=Registration.Status.CANCELLED, cancelled_at=now
    )


def release(*, order_id: int, status: str, now: datetime | None = None) -> bool:
    """Release a pending order in its own transaction; False if it was no longer pending.

    Only for orders nobody can pay any more (the provider's checkout is closed, or the
    hold is over): see ``checkout.cancel_payment`` for the path that asks the provider.
    """
    now = now or timezone.now()
    with transaction.atomic():
        order = locked_order(order_id)
        if order.status != Status.PENDING_PAYMENT:
            return False
        mark_released(order=order, status=status, now=now)
    return True


def _stale(orders: QuerySet[Order], *, now: datetime) -> QuerySet[Order]:
    return (
        orders.filter(status=Status.PENDING_PAYMENT, hold_expires_at__lte=now)
        .select_for_update(of=("self",))
        .order_by("pk")
    )


# Each checkout clears its cart's stale orders first: compiled once per process.
_STALE_CART_ORDERS = CompiledQuery(
    lambda *, family_id, now: _stale(
        Order.objects.filter(family=family_id, source=Order.Source.CART), now=now
    )
)


def release_stale_cart_orders(*, family: Family, now: datetime) -> list[Order]:
    """``release_stale`` of the family's cart orders."""
    return _mark_stale(_STALE_CART_ORDERS.all(family_id=family.pk, now=now), now=now)


def release_stale(orders: QuerySet[Order], *, now: datetime) -> list[Order]:
    """Inside a transaction: expire the pending orders whose hold has passed."""
    return _mark_stale(list(_stale(orders, now=now)), now=now)


def _mark_stale(stale: list[Order], *, now: datetime) -> list[Order]:
    for order in stale:
        mark_released(order=order, status=Status.EXPIRED, now=now)
    return stale


def expire_stale_orders(*, now: datetime | None = None) -> list[Order]:
    """Periodic: mark every pending order past its hold expired (cart and offers alike).
    Availability never waited for this: the selector already ignores expired holds."""
    now = now or timezone.now()
    with transaction.atomic():
        return release_stale(Order.objects.all(), now=now)


def mark_paid(
    *, order: Order, registrations: Iterable[Registration], provider_reference: str, now: datetime
) -> None:
    """Pending (or released, for a late payment that still fits) -> paid."""
    Registration.objects.filter(pk__in=[r.pk for r in registrations]).update(
        status=Registration.Status.CONFIRMED, confirmed_at=now, cancelled_at=None
    )
    order.status = Status.PAID
    order.paid_at = now
    order.provider_reference = provider_reference or order.provider_reference
    order.save(update_fields=["status", "paid_at", "provider_reference"])


def refund_lines(*, order: Order, registrations: Iterable[Registration], now: datetime) -> bool:
    """Cancel these lines of an order; the order is ``refunded`` once no line is left.
    Returns True when the whole order is now refunded."""
    Registration.objects.filter(pk__in=[r.pk for r in registrations]).exclude(
        status=Registration.Status.CANCELLED
    ).update(status=Registration.Status.CANCELLED, cancelled_at=now)
    if order.registrations.exclude(status=Registration.Status.CANCELLED).exists():
        return False
    order.status = Status.REFUNDED
    order.save(update_fields=["status"])
    return True
