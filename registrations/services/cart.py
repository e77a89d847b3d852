"""The cart: it reserves nothing, and its lines never change under an order awaiting
payment: a change first cancels that order (its checkout closed at the provider)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Family, Person
from activities.models import Group
from activities.selectors import group_availability, groups_with_season
from portal.compiled import CompiledDelete
from portal.locking import busy_on_lock_timeout

from .. import rules
from ..models import Cart, CartItem, Order
from ..selectors import forget_cart_count, pending_cart_order, person_cart_items
from .payment_flow import cancel_payment


@dataclass
class CartChange:
    added: list[Group] = field(default_factory=list)
    refused: list[tuple[Group, rules.Refusal]] = field(default_factory=list)
    removed: bool = False
    # The order awaiting payment that the change cancelled (the parent pays again).
    cancelled_order: Order | None = None


def _cancel_pending(*, family: Family, change: CartChange) -> None:
    pending = pending_cart_order(family=family)
    if pending is not None and cancel_payment(order=pending):
        change.cancelled_order = pending


def add_to_cart(
    *,
    family: Family,
    person: Person,
    groups: Iterable[Group] = (),
    group_ids: Iterable[int] = (),
    now: datetime | None = None,
) -> CartChange:
    """Put the ticked groups (or the groups of ``group_ids``, the form's ticks) in the
    cart; each refused one comes back with its reason. Ids of no group are left out.

    The places are checked only to spare the parent a surprise: ``checkout`` decides,
    under the lock. The rows go in in group order, in one transaction.
    """
    refusal = rules.family_refusal(family=family, person=person)
    if refusal is not None:
        raise rules.RegistrationRefused(refusal)
    now = now or timezone.now()
    wanted = {group.pk for group in groups} | set(group_ids)
    chosen = {group.pk: group for group in groups_with_season(group_ids=wanted)}
    if not chosen:
        return CartChange()
    plan = rules.person_plans(persons=[person], now=now)[person.pk]
    for item in person_cart_items(family=family, person=person):
        plan.plan(item.group)
    verdicts = rules.evaluate(
        family=family,
        lines=[(person, group) for group in chosen.values()],
        plans={person.pk: plan},
        availability=group_availability(group_ids=chosen, now=now),
        now=now,
        policy=rules.CART,
    )
    change = CartChange(
        added=[v.group for v in verdicts if v.refusal is None],
        refused=[(v.group, v.refusal) for v in verdicts if v.refusal is not None],
    )
    if change.added:
        _cancel_pending(family=family, change=change)
        with busy_on_lock_timeout(), transaction.atomic():
            cart, _created = Cart.objects.get_or_create(family=family)
            CartItem.objects.bulk_create(
                [
                    CartItem(cart=cart, person=person, group=group)
                    for group in sorted(change.added, key=lambda g: g.pk)
                ],
                ignore_conflicts=True,
            )
            forget_cart_count(family_id=family.pk)
    return change


def remove_from_cart(*, family: Family, item_id: int) -> CartChange:
    change = CartChange()
    if not CartItem.objects.filter(cart__family=family, pk=item_id).exists():
        return change
    _cancel_pending(family=family, change=change)
    deleted, _detail = CartItem.objects.filter(cart__family=family, pk=item_id).delete()
    forget_cart_count(family_id=family.pk)
    change.removed = deleted > 0
    return change


# Each waiting-list join takes the child's lines out: compiled once per process.
_PERSON_LINES = CompiledDelete(
    lambda *, family_id, person_id, group_ids: CartItem.objects.filter(
        cart__family=family_id, person=person_id, group__in=group_ids
    )
)


def take_out_of_cart(*, family: Family, person: Person, group_ids: Iterable[int]) -> int:
    """A child's lines for these groups leave the cart: they went to the waiting list. They
    are never lines of an order awaiting payment (a held place is not joined in line)."""
    # One DELETE, no read first: joined from « S'inscrire », usually nothing of it is here.
    deleted = _PERSON_LINES.delete(
        family_id=family.pk, person_id=person.pk, group_ids=sorted(set(group_ids))
    )
    if deleted:
        forget_cart_count(family_id=family.pk)
    return deleted
