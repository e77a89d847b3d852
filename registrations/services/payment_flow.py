"""From the cart to the provider: holds under the group locks, the payment page, and the
ways a pending order ends without a payment (« Annuler ce paiement », a cart change,
staff, a declined offer), which always ask the provider first."""

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from accounts.models import Family, Person
from activities.locking import lock_groups
from activities.models import Group
from activities.selectors import group_availability, groups_with_season, registration_open_at
from health.selectors import missing_forms_message, missing_health_forms
from portal.compiled import CompiledQuery
from portal.errors import DomainError
from portal.locking import busy_on_lock_timeout

from .. import rules
from ..models import Cart, CartItem, Order
from ..payments import PaymentEvent, PaymentInProgress, ProviderError, get_provider
from ..selectors import cart_items, pending_cart_order
from . import lifecycle
from .payment_events import handle_payment_event

logger = logging.getLogger(__name__)
lock_log = logging.getLogger("registrations.locks")


class PaymentUnavailable(DomainError):
    code = "provider_unavailable"

    def __init__(self) -> None:
        super().__init__(
            _(
                "The payment service did not answer. Nothing was charged and your places "
                "stay held: please try again in a few minutes."
            )
        )


class PaymentInProgressError(DomainError):
    code = "payment_in_progress"

    def __init__(self) -> None:
        super().__init__(
            _(
                "Your payment is being processed by your bank: the order will be confirmed "
                "by email as soon as the money arrives. It cannot be changed meanwhile."
            )
        )


@dataclass
class HoldResult:
    order: Order | None
    verdicts: list[rules.Verdict] = field(default_factory=list)

    @property
    def refused(self) -> list[rules.Verdict]:
        return [v for v in self.verdicts if v.refusal is not None]


def hold_places(
    *,
    family: Family,
    requests: list[tuple[rules.Policy, list[tuple[Person, Group]]]],
    source: str,
    hold_until: datetime,
    language: str,
    now: datetime,
    first_required: bool = False,
) -> HoldResult:
    """Lock the groups, re-check every line under the lock, and hold what fits in one
    pending order (invariants 1, 2, 4). ``requests``: lines with the policy they follow,
    checked in that order (an offer's place, then its services). ``first_required``: if a
    line of the first request is refused, nothing is held. Needs atomic()."""
    group_ids = {group.pk for _policy, lines in requests for _person, group in lines}
    locked_at = time.perf_counter()
    lock_groups(group_ids)
    # How long other checkouts of these groups wait behind this one (the benchmark reads it).
    transaction.on_commit(
        lambda: lock_log.info("lock_hold_ms=%.1f", (time.perf_counter() - locked_at) * 1000)
    )
    groups = {group.pk: group for group in groups_with_season(group_ids=group_ids)}
    availability = group_availability(group_ids=group_ids, now=now)
    persons = {person for _policy, lines in requests for person, _group in lines}
    plans = rules.person_plans(persons=persons, now=now)
    verdicts: list[rules.Verdict] = []
    for policy, lines in requests:
        fresh = [(person, groups[group.pk]) for person, group in lines]
        verdicts += rules.evaluate(
            family=family,
            lines=fresh,
            plans=plans,
            availability=availability,
            now=now,
            policy=policy,
        )
    accepted = [(v.person, v.group) for v in verdicts if v.refusal is None]
    first_count = len(requests[0][1]) if requests else 0
    if first_required and any(v.refusal for v in verdicts[:first_count]):
        accepted = []
    if not accepted:
        return HoldResult(order=None, verdicts=verdicts)
    order = lifecycle.create_pending_order(
        family=family,
        lines=accepted,
        source=source,
        hold_until=hold_until,
        language=language,
        now=now,  # the family's lines that count for its pricing are those held at ``now``
    )
    return HoldResult(order=order, verdicts=verdicts)


@dataclass
class CheckoutResult:
    order: Order | None
    refused: list[tuple[CartItem, rules.Refusal]]
    reused: bool = False


# One checkout at a time per family (the cart's row): compiled once per process.
_CART_LOCK = CompiledQuery(
    lambda *, family_id: (
        Cart.objects.select_for_update(no_key=True)
        .filter(family=family_id)
        .values_list("pk", flat=True)
    )
)


def checkout(
    *, family: Family, language: str | None = None, now: datetime | None = None
) -> CheckoutResult:
    """« Payer »: hold every cart line that still fits, in one transaction, in one order.

    A pending order of this cart is returned as it is (its lines are the cart's: a cart
    change cancels it first). Lines that no longer fit stay in the cart with their reason.
    Raises ``Busy`` when the groups stay locked by others for too long.
    """
    refusal = rules.family_refusal(family=family)
    if refusal is not None:
        raise rules.RegistrationRefused(refusal)
    now = now or timezone.now()
    with busy_on_lock_timeout(), transaction.atomic():
        # One checkout at a time per family: a double click finds the first one's order.
        _CART_LOCK.all(family_id=family.pk)
        pending = pending_cart_order(family=family, now=now)
        if pending is not None:
            return CheckoutResult(order=pending, refused=[], reused=True)
        stale = lifecycle.release_stale_cart_orders(family=family, now=now)
        items = cart_items(family=family)
        if not items:
            raise DomainError(_("Your cart is empty."), code="empty_cart")
        _refuse_before_opening(family=family, items=items, now=now)
        _refuse_without_health_forms(family=family, items=items)
        result = hold_places(
            family=family,
            requests=[(rules.CHECKOUT, [(item.person, item.group) for item in items])],
            source=Order.Source.CART,
            hold_until=now + timedelta(minutes=settings.HOLD_MINUTES),
            language=language or family.preferred_language,
            now=now,
        )
    for order in stale:  # their holds are over; a payment arriving now is a late one
        _close_quietly(order)
    by_pair = {(item.person_id, item.group_id): item for item in items}
    refused = [(by_pair[(v.person.pk, v.group.pk)], v.refusal) for v in result.refused]
    return CheckoutResult(order=result.order, refused=refused)


def _refuse_before_opening(*, family: Family, items: list[CartItem], now: datetime) -> None:
    """A prepared cart is paid from the opening on: say when, rather than line by line."""
    openings = [
        registration_open_at(season=item.group.week.season, is_resident=family.is_resident)
        for item in items
    ]
    if openings and now < min(openings):
        raise DomainError(
            _("Registration opens on %(date)s: your cart is ready, nothing is reserved yet.")
            % {"date": date_format(localtime(min(openings)), "DATETIME_FORMAT")},
            code="not_open",
        )


def _refuse_without_health_forms(*, family: Family, items: list[CartItem]) -> None:
    """Seasons that ask for the health form before checkout: every child of the cart has
    one (the message links to each missing form)."""
    by_season: dict[int, tuple] = {}
    for item in items:
        season = item.group.week.season
        by_season.setdefault(season.pk, (season, set()))[1].add(item.person)
    missing = [
        gap
        for season, persons in by_season.values()
        for gap in missing_health_forms(family=family, season=season, persons=persons)
    ]
    if missing:
        raise DomainError(missing_forms_message(missing), code="health_form_missing")


def start_payment(*, order: Order, now: datetime | None = None) -> str:
    """Where to send the parent to pay ``order`` (network: never inside a transaction).

    A provider error changes nothing: the order stays payable until its hold ends. A
    checkout already paid is fulfilled, and the parent lands on the order's page.
    """
    now = now or timezone.now()
    if order.status != Order.Status.PENDING_PAYMENT or order.hold_expires_at <= now:
        raise DomainError(
            _("This order can no longer be paid. Please check out again."), code="not_payable"
        )
    try:
        answer = get_provider(order.provider).start_checkout(order)
    except PaymentInProgress as exc:
        raise PaymentInProgressError from exc
    except ProviderError as exc:
        raise PaymentUnavailable from exc
    if isinstance(answer, PaymentEvent):
        handle_payment_event(event=answer)
        return reverse("registrations:order_detail", args=[order.public_id])
    return answer


def cancel_payment(*, order: Order, status: str = Order.Status.CANCELLED) -> bool:
    """End a pending order that will not be paid: the provider's checkout is closed first,
    so nobody pays it afterwards. Paid meanwhile: fulfilled, and ``already_paid`` raised.
    Returns False if the order was no longer pending."""
    if order.status != Order.Status.PENDING_PAYMENT:
        return False
    try:
        paid = get_provider(order.provider).close_checkout(order)
    except PaymentInProgress as exc:
        raise PaymentInProgressError from exc
    except ProviderError as exc:
        raise PaymentUnavailable from exc
    if paid is not None:
        handle_payment_event(event=paid)
        raise DomainError(
            _("This payment was completed meanwhile: the order is paid."), code="already_paid"
        )
    return lifecycle.release(order_id=order.pk, status=status)


def fulfil_from_return(*, order: Order, reference: str) -> None:
    """The parent came back from the provider's page (``?session_id=``): fulfil from it
    at once rather than wait for the webhook; both go through the same idempotent path."""
    if order.status in (Order.Status.PAID, Order.Status.REFUNDED) or not reference:
        return
    paid = get_provider(order.provider).checkout_result(order, reference)
    if paid is not None:
        handle_payment_event(event=paid)


def _close_quietly(order: Order) -> None:
    try:
        paid = get_provider(order.provider).close_checkout(order)
    except (ProviderError, PaymentInProgress):
        logger.info("Checkout of %s left to lapse on its own", order)
        return
    if paid is not None:  # paid just as its hold ended: the late-payment rules decide
        handle_payment_event(event=paid)
