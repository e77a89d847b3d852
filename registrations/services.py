"""Every write of the registration side: cart, checkout with holds, payment, expiry, refunds."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Family, Person
from activities.models import Group
from activities.selectors import group_availability
from portal.emails import queue_email
from portal.locking import Busy, busy_on_lock_timeout, lock_groups

from . import rules, signals
from .models import Cart, CartItem, Order, Payment, Registration, WebhookEvent
from .payments import PaymentEvent, ProviderError, get_provider

logger = logging.getLogger(__name__)

# Test-only switch: the race test's control run turns the group locks off to prove it
# can see an oversold group at all. Never change it elsewhere.
LOCKING_ENABLED = True

__all__ = ["Busy"]


class RegistrationError(Exception):
    """A business refusal the view shows as a message."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


class PaymentStartFailed(RegistrationError):
    pass


def _groups(ids: Iterable[int]) -> dict[int, Group]:
    return Group.objects.select_related("activity", "week__season").in_bulk(list(ids))


# --- Cart -----------------------------------------------------------------------


@dataclass
class AddToCartResult:
    added: list[Group] = field(default_factory=list)
    refused: list[tuple[Group, rules.Refusal]] = field(default_factory=list)


def add_to_cart(
    *, family: Family, person: Person, groups: Iterable[Group], now: datetime | None = None
) -> AddToCartResult:
    """Put the ticked groups in the cart; each refused one comes back with its reason.

    The cart reserves nothing: the capacity check here only spares the parent a
    surprise; ``checkout`` checks again under lock.
    """
    if person.family_id != family.pk:
        raise RegistrationError(_("This person is not in your family file."))
    now = now or timezone.now()
    chosen = _groups({group.pk for group in groups})
    availability = group_availability(group_ids=chosen, now=now)
    plan = rules.registered_plans(persons=[person], now=now)[person.pk]
    in_cart = rules.cart_groups(family=family).get(person.pk, set())
    cart_items = CartItem.objects.filter(cart__family=family, person=person)
    for group_id, kind, week_id in cart_items.values_list(
        "group_id", "group__activity__kind", "group__week_id"
    ):
        plan.planned_groups.add(group_id)
        if kind == "camp":
            plan.planned_camp_weeks.add(week_id)
    result = AddToCartResult()
    cart, _created = Cart.objects.get_or_create(family=family)
    for group in sorted(chosen.values(), key=rules.order_key):
        refusal = rules.check(
            family=family,
            person=person,
            group=group,
            plan=plan,
            availability=availability[group.pk],
            now=now,
        )
        if refusal is None and group.pk in in_cart:
            refusal = rules.Refusal("already_in_cart")
        if refusal is not None:
            result.refused.append((group, refusal))
            continue
        CartItem.objects.get_or_create(cart=cart, person=person, group=group)
        plan.plan(group)
        result.added.append(group)
    return result


def remove_from_cart(*, family: Family, item_id: int) -> bool:
    deleted, _detail = CartItem.objects.filter(cart__family=family, pk=item_id).delete()
    return deleted > 0


# --- Holds --------------------------------------------------------------------------


@dataclass
class HoldResult:
    order: Order | None
    held: list[Registration]
    refused: list[tuple[Person, Group, rules.Refusal]]


def hold_places(
    *,
    family: Family,
    items: Iterable[tuple[Person, Group]],
    source: str = Order.Source.CART,
    now: datetime | None = None,
    hold_until: datetime | None = None,
    count_waiting: bool = True,
    language: str | None = None,
) -> HoldResult:
    """Create one pending Order with ``held`` registrations for every (person, group) that
    fits, under the group locks (invariants 1, 2, 4). Call inside ``transaction.atomic()``.

    ``count_waiting=False`` lets a waiting-list offer take a place the public may not.
    """
    now = now or timezone.now()
    items = list(items)
    if LOCKING_ENABLED:
        lock_groups({group.pk for _person, group in items})
    groups = _groups({group.pk for _person, group in items})
    availability = group_availability(group_ids=groups, now=now)
    if not count_waiting:
        availability = {pk: replace(a, waiting=0) for pk, a in availability.items()}
    plans = rules.registered_plans(persons={person for person, _group in items}, now=now)
    used: dict[int, int] = {}
    fitted: list[tuple[Person, Group]] = []
    refused: list[tuple[Person, Group, rules.Refusal]] = []
    for person, item_group in sorted(items, key=lambda pair: rules.order_key(pair[1])):
        group = groups[item_group.pk]
        refusal = rules.check(
            family=family,
            person=person,
            group=group,
            plan=plans[person.pk],
            availability=availability[group.pk],
            now=now,
            places_used=used.get(group.pk, 0),
        )
        if refusal is not None:
            refused.append((person, group, refusal))
            continue
        plans[person.pk].plan(group)
        used[group.pk] = used.get(group.pk, 0) + 1
        fitted.append((person, group))
    if not fitted:
        return HoldResult(order=None, held=[], refused=refused)
    hold_until = hold_until or now + timedelta(minutes=settings.HOLD_MINUTES)
    order, held = create_held_order(
        family=family,
        items=fitted,
        source=source,
        hold_until=hold_until,
        language=language or family.preferred_language,
    )
    return HoldResult(order=order, held=held, refused=refused)


def create_held_order(
    *,
    family: Family,
    items: list[tuple[Person, Group]],
    source: str,
    hold_until: datetime,
    language: str,
) -> tuple[Order, list[Registration]]:
    """Write a pending Order and its ``held`` registrations, priced for the family.

    The caller has locked the groups and checked the places (checkout, waitlist offer).
    """
    prices = [group.price_for(is_resident=family.is_resident) for _person, group in items]
    order = Order.objects.create(
        family=family,
        source=source,
        total=sum(prices, Decimal("0")),
        provider=settings.PAYMENT_PROVIDER,
        hold_expires_at=hold_until,
        language=language,
    )
    held = Registration.objects.bulk_create(
        Registration(
            order=order,
            person=person,
            group=group,
            week_id=group.week_id,
            kind=group.activity.kind,
            status=Registration.Status.HELD,
            price=price,
            hold_expires_at=hold_until,
        )
        for (person, group), price in zip(items, prices, strict=True)
    )
    return order, held


def _close_pending_orders(orders, *, now: datetime) -> list[Order]:
    """Expire (hold passed) or cancel (superseded) pending orders and free their holds."""
    closed = list(orders.select_for_update())
    for order in closed:
        expired = order.hold_expires_at <= now
        mark_released(
            order=order,
            status=Order.Status.EXPIRED if expired else Order.Status.CANCELLED,
            now=now,
        )
    return closed


def mark_released(*, order: Order, status: str, now: datetime) -> None:
    """The order will not be paid: its held places come back. The caller holds its lock."""
    order.status = status
    order.save(update_fields=["status"])
    order.registrations.filter(status=Registration.Status.HELD).update(
        status=Registration.Status.CANCELLED, cancelled_at=now
    )


@dataclass
class CheckoutResult:
    order: Order | None
    held: list[Registration]
    refused: list[tuple[CartItem, rules.Refusal]]


def checkout(
    *, family: Family, now: datetime | None = None, language: str | None = None
) -> CheckoutResult:
    """Hold every cart item that still fits, in one transaction, and create the Order.

    Items that no longer fit stay in the cart; the parent sees them before paying.
    Raises ``Busy`` when the groups stay locked by others for too long.
    """
    if not family.is_approved:
        raise RegistrationError(_("Your family file must be approved before registering."))
    now = now or timezone.now()
    with busy_on_lock_timeout(), transaction.atomic():
        # An earlier checkout not paid yet is replaced by this one (same cart).
        superseded = _close_pending_orders(
            Order.objects.filter(
                family=family,
                status=Order.Status.PENDING_PAYMENT,
                source=Order.Source.CART,
            ),
            now=now,
        )
        items = list(
            CartItem.objects.filter(cart__family=family).select_related(
                "person", "group__activity", "group__week__season"
            )
        )
        if not items:
            raise RegistrationError(_("Your cart is empty."))
        try:
            with transaction.atomic():
                result = hold_places(
                    family=family,
                    items=[(item.person, item.group) for item in items],
                    now=now,
                    language=language,
                )
        except IntegrityError as exc:  # the same family checking out twice at once
            raise Busy from exc
    _expire_at_provider(superseded)
    by_pair = {(item.person_id, item.group_id): item for item in items}
    refused = [(by_pair[(p.pk, g.pk)], refusal) for p, g, refusal in result.refused]
    return CheckoutResult(order=result.order, held=result.held, refused=refused)


def _expire_at_provider(orders: Iterable[Order]) -> None:
    for order in orders:
        try:
            get_provider(order.provider).expire(order)
        except Exception:  # best effort: an unpaid session expires on its own
            logger.warning("Could not expire the provider checkout of %s", order, exc_info=True)


def start_payment(*, order: Order, now: datetime | None = None) -> str:
    """Ask the provider for the payment page (network: never inside a transaction)."""
    now = now or timezone.now()
    if order.status != Order.Status.PENDING_PAYMENT or order.hold_expires_at <= now:
        raise RegistrationError(_("This order can no longer be paid. Please check out again."))
    try:
        return get_provider(order.provider).start_checkout(order)
    except ProviderError as exc:
        release_order(order=order, status=Order.Status.CANCELLED)
        raise PaymentStartFailed(
            _(
                "The payment service did not answer. Nothing was charged and your cart "
                "is unchanged: please try again in a few minutes."
            )
        ) from exc


def release_order(*, order: Order, status: str, now: datetime | None = None) -> bool:
    """A pending order that will not be paid: expired or cancelled, places freed."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status != Order.Status.PENDING_PAYMENT:
            return False
        mark_released(order=locked, status=status, now=now)
    order.status = status
    signals.order_released.send(sender=Order, order=locked)
    return True


def expire_stale_orders(
    *, now: datetime | None = None, sources: Iterable[str] = (Order.Source.CART,)
) -> int:
    """Mark pending orders past their hold expired. Availability never waited for this:
    the selector already ignores expired holds."""
    now = now or timezone.now()
    with transaction.atomic():
        expired = _close_pending_orders(
            Order.objects.filter(
                status=Order.Status.PENDING_PAYMENT,
                hold_expires_at__lte=now,
                source__in=list(sources),
            ),
            now=now,
        )
    _expire_at_provider(expired)
    for order in expired:
        signals.order_released.send(sender=Order, order=order)
    return len(expired)


# --- Payment ----------------------------------------------------------------------------


def handle_payment_event(*, event: PaymentEvent) -> str:
    """The one entry point of provider news (webhooks and the simulated page alike).
    Each event id is stored once, in the same transaction as its effect."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                WebhookEvent.objects.create(
                    provider=event.provider, event_id=event.event_id, event_type=event.event_type
                )
        except IntegrityError:
            return "replay"
        order = _order_for_event(event)
        if order is None:
            logger.warning("Payment event %s names no known order", event.event_id)
            return "unknown_order"
        if event.outcome == PaymentEvent.PAID:
            return confirm_payment(
                order=order,
                provider_reference=event.provider_reference,
                payment_reference=event.payment_reference,
                amount=event.amount,
            )
        if event.outcome == PaymentEvent.FAILED:
            return "released" if release_order(order=order, status=Order.Status.CANCELLED) else ""
        if event.outcome == PaymentEvent.EXPIRED:
            return "released" if release_order(order=order, status=Order.Status.EXPIRED) else ""
        return "ignored"


def _order_for_event(event: PaymentEvent) -> Order | None:
    orders = Order.objects.filter(provider=event.provider)
    if event.order_public_id:
        try:
            return orders.filter(public_id=event.order_public_id).first()
        except ValidationError:  # not a UUID: not one of ours
            return None
    if event.provider_reference:
        return orders.filter(provider_reference=event.provider_reference).first()
    return None


def confirm_payment(
    *,
    order: Order,
    provider_reference: str = "",
    amount: Decimal | None = None,
    payment_reference: str = "",
    now: datetime | None = None,
) -> str:
    """Paid: holds become confirmed, once (invariant 5). A late payment (hold expired) is
    confirmed if its places are still free, else refunded (invariant 6).

    Returns "confirmed", "already" (nothing to do) or "refunded".
    """
    now = now or timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("family__user").get(pk=order.pk)
        if order.status in (Order.Status.PAID, Order.Status.REFUNDED):
            return "already"
        amount = order.total if amount is None else amount
        registrations = list(order.registrations.select_related("person", "group__activity"))
        on_time = (
            order.status == Order.Status.PENDING_PAYMENT
            and order.hold_expires_at > now
            and all(r.status == Registration.Status.HELD for r in registrations)
        )
        if not on_time and not _late_places_fit(order=order, registrations=registrations, now=now):
            _refund_late_payment(
                order=order,
                registrations=registrations,
                amount=amount,
                now=now,
                payment_reference=payment_reference or provider_reference,
            )
            return "refunded"
        order.registrations.update(status=Registration.Status.CONFIRMED, confirmed_at=now)
        order.status = Order.Status.PAID
        order.paid_at = now
        order.provider_reference = provider_reference or order.provider_reference
        order.save(update_fields=["status", "paid_at", "provider_reference"])
        Payment.objects.create(
            order=order,
            kind=Payment.Kind.CHARGE,
            provider=order.provider,
            provider_reference=payment_reference or provider_reference,
            amount=amount,
        )
        _remove_from_cart(order=order, registrations=registrations)
        _email_family(order=order, template="order_confirmation", registrations=registrations)
    signals.order_paid.send(sender=Order, order=order)
    return "confirmed"


def _late_places_fit(*, order: Order, registrations: list[Registration], now: datetime) -> bool:
    """Under the group locks: is there still a place for each registration of this order?"""
    if LOCKING_ENABLED:
        lock_groups({r.group_id for r in registrations})
    # Stale holds of this family would block the database's one-place-per-child rules.
    _close_pending_orders(
        Order.objects.filter(
            family=order.family_id,
            status=Order.Status.PENDING_PAYMENT,
            hold_expires_at__lte=now,
        ).exclude(pk=order.pk),
        now=now,
    )
    availability = group_availability(group_ids={r.group_id for r in registrations}, now=now)
    own = Registration.objects.occupying(now).filter(order=order)
    others = (
        Registration.objects.filter(
            Q(status=Registration.Status.CONFIRMED) | Q(status=Registration.Status.HELD),
            person__in={r.person_id for r in registrations},
        )
        .exclude(order=order)
        .values_list("person_id", "group_id", "week_id", "kind")
    )
    for registration in registrations:
        mine = own.filter(group=registration.group_id).count()
        if availability[registration.group_id].free + mine <= 0:
            return False
        for person_id, group_id, week_id, kind in others:
            if person_id != registration.person_id:
                continue
            same_camp_week = kind == "camp" == registration.kind and week_id == registration.week_id
            if group_id == registration.group_id or same_camp_week:
                return False
    return True


def _refund_late_payment(
    *,
    order: Order,
    registrations: list[Registration],
    amount: Decimal,
    now: datetime,
    payment_reference: str,
) -> None:
    _mark_refunded(order=order, now=now)
    Payment.objects.create(
        order=order,
        kind=Payment.Kind.CHARGE,
        provider=order.provider,
        provider_reference=payment_reference,
        amount=amount,
    )
    Payment.objects.create(
        order=order, kind=Payment.Kind.REFUND, provider=order.provider, amount=amount
    )
    # Back in the cart, where the re-check shows them full (and, later, the waiting list).
    cart, _created = Cart.objects.get_or_create(family=order.family)
    for registration in registrations:
        CartItem.objects.get_or_create(
            cart=cart, person=registration.person, group=registration.group
        )
    _email_family(order=order, template="order_late_refund", registrations=registrations)
    transaction.on_commit(lambda: _refund_at_provider(order=order, amount=amount))
    transaction.on_commit(lambda: signals.order_released.send(sender=Order, order=order))


def _mark_refunded(*, order: Order, now: datetime) -> None:
    """The order is refunded: its registrations give their places back."""
    order.status = Order.Status.REFUNDED
    order.save(update_fields=["status"])
    order.registrations.exclude(status=Registration.Status.CANCELLED).update(
        status=Registration.Status.CANCELLED, cancelled_at=now
    )


def _refund_at_provider(*, order: Order, amount: Decimal) -> bool:
    """Send a recorded refund to the provider; its reference marks it done. A failure is
    retried by ``retry_unsent_refunds`` (the provider's idempotency key makes retries safe)."""
    try:
        reference = get_provider(order.provider).refund(order, amount)
    except ProviderError:
        logger.warning(
            "Refund of %s (%s) failed at the provider; it will be retried", order, amount
        )
        return False
    Payment.objects.filter(order=order, kind=Payment.Kind.REFUND, provider_reference="").update(
        provider_reference=reference or "done"
    )
    return True


def retry_unsent_refunds(*, now: datetime | None = None) -> int:
    """Refunds recorded but not yet accepted by the provider, older than a minute."""
    now = now or timezone.now()
    unsent = Payment.objects.filter(
        kind=Payment.Kind.REFUND,
        provider_reference="",
        created_at__lte=now - timedelta(minutes=1),
    ).select_related("order")
    return sum(_refund_at_provider(order=p.order, amount=p.amount) for p in unsent)


def _remove_from_cart(*, order: Order, registrations: list[Registration]) -> None:
    paid = Q(pk__in=[])
    for registration in registrations:
        paid |= Q(person_id=registration.person_id, group_id=registration.group_id)
    CartItem.objects.filter(paid, cart__family=order.family_id).delete()


def _email_family(*, order: Order, template: str, registrations: list[Registration]) -> None:
    lines = sorted(
        registrations, key=lambda r: (r.person.first_name, r.week.starts_on, r.kind != "camp")
    )
    queue_email(
        to=order.family.user.email,
        template=template,
        context={"order": order, "family": order.family, "registrations": lines},
        language=order.language,
    )


# --- Staff -----------------------------------------------------------------------------


def cancel_and_refund(*, order: Order, by, now: datetime | None = None) -> str:
    """Staff cancel an order: full refund through the provider, places freed, family told.
    The refund (network) happens first, outside any lock; if it fails nothing changes."""
    now = now or timezone.now()
    if order.status == Order.Status.PENDING_PAYMENT:
        release_order(order=order, status=Order.Status.CANCELLED, now=now)
        return "cancelled"
    if order.status != Order.Status.PAID:
        raise RegistrationError(_("Only a paid or pending order can be cancelled."))
    reference = get_provider(order.provider).refund(order, order.total)
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("family__user").get(pk=order.pk)
        if order.status != Order.Status.PAID:
            return "already"
        registrations = list(order.registrations.select_related("person", "group__activity"))
        _mark_refunded(order=order, now=now)
        Payment.objects.create(
            order=order,
            kind=Payment.Kind.REFUND,
            provider=order.provider,
            provider_reference=reference,
            amount=order.total,
        )
        logger.info("Order %s cancelled and refunded by %s", order, by)
        _email_family(order=order, template="order_cancelled", registrations=registrations)
    signals.order_released.send(sender=Order, order=order)
    return "refunded"
