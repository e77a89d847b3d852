"""Shared reads of the registration side: cart, « S'inscrire » options, the family's file."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from accounts.models import Family, Person
from activities.models import Activity, Group, Season, Week
from activities.selectors import Availability, group_availability, registration_open_at
from portal.compiled import CompiledQuery
from waitlist.models import WaitlistEntry

from . import pricing, rules
from .models import CartItem, Order, Receipt, Registration

# The header's count misses the cache after every change of the cart, two or three times per
# paid checkout on opening night: compiled once per process, as the cart's own reads are.
_CART_ITEM_COUNT = CompiledQuery(
    lambda *, family_id: (
        CartItem.objects.filter(cart__family=family_id)
        .values("cart__family")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
)


def cart_item_count(*, family: Family) -> int:
    return _CART_ITEM_COUNT.first(family_id=family.pk) or 0


# The header's « Panier » count is on every page: it is kept in the cache per family and
# forgotten by every service that changes a cart. Changes no service makes (a child's file
# deleted with its cart lines) show within the time to live.
CART_COUNT_SECONDS = 120


def _cart_count_key(family_id: int) -> str:
    return f"cart-count:{family_id}"


def cart_badge_count(*, family: Family) -> int:
    count = cache.get(_cart_count_key(family.pk))
    if count is None:
        count = cart_item_count(family=family)
        cache.set(_cart_count_key(family.pk), count, CART_COUNT_SECONDS)
    return count


def forget_cart_count(*, family_id: int) -> None:
    """Now, and again once the change commits: a page rendered meanwhile may have cached
    the count from before it."""
    key = _cart_count_key(family_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


_CHILDREN = CompiledQuery(
    lambda *, family_id: Person.objects.filter(
        family=family_id, relationship=Person.Relationship.CHILD
    )
)


def children_of(*, family: Family) -> list[Person]:
    return _CHILDREN.all(family_id=family.pk)


# --- Cart ---------------------------------------------------------------------


@dataclass
class CartLine:
    item: CartItem
    price: Decimal
    refusal: rules.Refusal | None
    # The line is held by the order awaiting payment (it cannot change under it).
    in_pending_order: bool = False
    # Family pricing (``pricing``): what the 2nd or 3rd+ child's rate takes off, and its name.
    reduction: Decimal = Decimal("0")
    reduction_label: str = ""

    @property
    def list_price(self) -> Decimal:
        return self.price + self.reduction

    @property
    def is_full(self) -> bool:
        return self.refusal is not None and self.refusal.code == "full"


@dataclass
class CartPerson:
    person: Person
    lines: list[CartLine] = field(default_factory=list)


@dataclass
class CartView:
    persons: list[CartPerson]
    total: Decimal
    pending_order: Order | None = None

    @property
    def lines(self) -> list[CartLine]:
        return [line for entry in self.persons for line in entry.lines]

    @property
    def payable(self) -> list[CartLine]:
        return [line for line in self.lines if line.refusal is None]


# The cart's reads run on every cart, checkout and add: compiled once per process.
_CART_ITEMS = CompiledQuery(
    lambda *, family_id: CartItem.objects.filter(cart__family=family_id).select_related(
        "person", "group__activity", "group__week__season"
    )
)
_PENDING_CART_ORDER = CompiledQuery(
    lambda *, family_id, now: Order.objects.filter(
        family=family_id,
        source=Order.Source.CART,
        status=Order.Status.PENDING_PAYMENT,
        hold_expires_at__gt=now,
    ).order_by("-created_at")[:1]
)


_PERSON_CART_ITEMS = CompiledQuery(
    lambda *, family_id, person_id: CartItem.objects.filter(
        cart__family=family_id, person=person_id
    ).select_related("group__activity", "group__week__season")
)


def person_cart_items(*, family: Family, person: Person) -> list[CartItem]:
    """One child's lines in the family's cart, with their group, activity, week and season
    (what the rules read of a group)."""
    return _PERSON_CART_ITEMS.all(family_id=family.pk, person_id=person.pk)


def cart_items(*, family: Family) -> list[CartItem]:
    """The cart's lines with their child, group, activity, week and season."""
    return _CART_ITEMS.all(family_id=family.pk)


def pending_cart_order(*, family: Family, now: datetime | None = None) -> Order | None:
    """The cart's order awaiting payment whose hold still runs: the cart shows it, and
    « Payer » pays it again instead of making another."""
    return _PENDING_CART_ORDER.first(family_id=family.pk, now=now or timezone.now())


def cart_view(*, family: Family, now: datetime | None = None) -> CartView:
    """The cart, re-checked against every rule and the current availability.

    Payable lines are priced by the family-pricing rule (``pricing``), as checkout will
    price them. While an order awaits payment, its lines show at the price it froze and
    the total is the order's: the amount the parent sees is the amount the provider asks for.
    """
    now = now or timezone.now()
    items = cart_items(family=family)
    pending = pending_cart_order(family=family, now=now)
    held: dict[tuple[int, int], Registration] = {}
    if pending is not None:
        held = {(r.person_id, r.group_id): r for r in pending.registrations.all()}
    others = [i for i in items if (i.person_id, i.group_id) not in held]
    verdicts = rules.evaluate(
        family=family,
        lines=[(i.person, i.group) for i in others],
        plans=rules.person_plans(persons={i.person for i in others}, now=now),
        availability=group_availability(group_ids={i.group_id for i in others}, now=now),
        now=now,
        policy=rules.CART,
    )
    refusals = {(v.person.pk, v.group.pk): v.refusal for v in verdicts}
    payable = [i for i in others if refusals[(i.person_id, i.group_id)] is None]
    prices = pricing.price_family_lines(
        family=family, lines=[(i.person_id, i.group) for i in payable], now=now
    )
    priced = {(i.person_id, i.group_id): p for i, p in zip(payable, prices, strict=True)}
    persons: dict[int, CartPerson] = {}
    for item in items:
        pair = (item.person_id, item.group_id)
        if pair in held:
            frozen = held[pair]
            line = CartLine(
                item=item,
                price=frozen.price,
                refusal=None,
                in_pending_order=True,
                reduction=frozen.family_reduction,
                reduction_label=frozen.family_pricing_label,
            )
        elif pair in priced:
            p = priced[pair]
            line = CartLine(
                item=item,
                price=p.price,
                refusal=None,
                reduction=p.reduction,
                reduction_label=p.label,
            )
        else:
            price = item.group.price_for(is_resident=family.is_resident)
            line = CartLine(item=item, price=price, refusal=refusals[pair])
        persons.setdefault(item.person_id, CartPerson(person=item.person)).lines.append(line)
    lines = [line for entry in persons.values() for line in entry.lines]
    if pending is not None:
        total = pending.total
    else:
        total = sum((line.price for line in lines if line.refusal is None), Decimal("0"))
    return CartView(persons=list(persons.values()), total=total, pending_order=pending)


# --- « S'inscrire » -------------------------------------------------------------


@dataclass
class GroupOption:
    group: Group
    availability: Availability
    price: Decimal
    status: str  # "available" | "registered" | "in_cart" | "waiting" | "full" | "not_open"
    # A service ticked with a waiting-list entry of that week: it waits with the entry.
    waits_with: WaitlistEntry | None = None

    @property
    def selectable(self) -> bool:
        return self.status == "available"


@dataclass
class WeekOptions:
    week: Week
    camps: list[GroupOption]
    services: list[GroupOption]


@dataclass
class SeasonOptions:
    season: Season
    opens_at: datetime
    is_open: bool
    weeks: list[WeekOptions]


_SEASONS_NOT_CLOSED = CompiledQuery(
    lambda *, now: Season.objects.filter(closes_at__gt=now).only("pk", "age_reference_date")
)


def _groups_for_ages(*, season_ids: list[int], ages: list[int], group_ids: list[int] | None):
    fits_age = Q(pk__in=[])
    for season_id, age in zip(season_ids, ages, strict=True):
        fits_age |= Q(week__season=season_id, min_age__lte=age, max_age__gte=age)
    groups = Group.objects.filter(fits_age).select_related("activity", "week__season")
    return groups if group_ids is None else groups.filter(pk__in=group_ids)


# « S'inscrire » and each add to the cart read them: compiled once per process.
_GROUPS_FOR_AGES = CompiledQuery(_groups_for_ages)


def register_options(
    *,
    family: Family,
    person: Person,
    now: datetime | None = None,
    group_ids: list[int] | None = None,
) -> list[SeasonOptions]:
    """Groups the child may take in seasons not yet closed, by week: camps for the
    child's age, and the week's daycare and bike transport, with places left.
    ``group_ids``: only these (the options a submission changed)."""
    now = now or timezone.now()
    # Only the groups of the child's age are loaded and counted (the age is per season).
    seasons = _SEASONS_NOT_CLOSED.all(now=now)
    groups = _GROUPS_FOR_AGES.all(
        season_ids=[season.pk for season in seasons],
        ages=[person.age_on(season.age_reference_date) for season in seasons],
        group_ids=group_ids,
    )
    availability = group_availability(group_ids=[g.pk for g in groups], now=now)
    plan = rules.person_plans(persons=[person], now=now)[person.pk]
    in_cart = {item.group_id for item in person_cart_items(family=family, person=person)}
    entries = _entries_in_line(person=person)
    in_line = {entry.group_id for entry in entries}
    riding = _riding(entries)
    seasons: dict[int, SeasonOptions] = {}
    weeks: dict[int, WeekOptions] = {}
    for group in sorted(groups, key=lambda g: (g.week.starts_on, g.activity.kind, g.min_age)):
        if not rules.fits_age(person=person, group=group):
            continue
        season = group.week.season
        opens_at = registration_open_at(season=season, is_resident=family.is_resident)
        if season.pk not in seasons:
            seasons[season.pk] = SeasonOptions(
                season=season, opens_at=opens_at, is_open=now >= opens_at, weeks=[]
            )
        if group.week_id not in weeks:
            weeks[group.week_id] = WeekOptions(week=group.week, camps=[], services=[])
            seasons[season.pk].weeks.append(weeks[group.week_id])
        avail = availability[group.pk]
        if group.pk in plan.registered_groups:
            status = "registered"
        elif group.pk in in_cart:
            status = "in_cart"
        elif group.pk in in_line:
            status = "waiting"
        elif now < opens_at and not season.prepared_carts:
            status = "not_open"
        elif avail.is_full:
            status = "full"
        else:
            status = "available"
        option = GroupOption(
            group=group,
            availability=avail,
            price=group.price_for(is_resident=family.is_resident),
            status=status,
            waits_with=riding.get(group.pk) if status == "available" else None,
        )
        if group.activity.kind == Activity.Kind.CAMP:
            weeks[group.week_id].camps.append(option)
        else:
            weeks[group.week_id].services.append(option)
    return list(seasons.values())


_ENTRIES_IN_LINE = CompiledQuery(
    lambda *, person_id: WaitlistEntry.objects.filter(
        person=person_id,
        status__in=(WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED),
    ).select_related("person", "group__activity", "group__week")
)


def _entries_in_line(*, person: Person) -> list[WaitlistEntry]:
    entries = _ENTRIES_IN_LINE.all(person_id=person.pk)
    prefetch_related_objects(entries, "addons")  # none for most children: no query
    return entries


def _riding(entries: list[WaitlistEntry]) -> dict[int, WaitlistEntry]:
    return {addon.pk: entry for entry in entries for addon in entry.addons.all()}


def waiting_addons(*, person: Person) -> dict[int, WaitlistEntry]:
    """The services (daycare, transport) that wait with one of the child's waiting-list
    entries, by group id: they are priced and placed with the entry's offer."""
    return _riding(_entries_in_line(person=person))


# --- Orders and the family's file ----------------------------------------------


_FAMILY_ORDER = CompiledQuery(
    lambda *, family_id, public_id: Order.objects.filter(family=family_id, public_id=public_id)
)
_ORDER_LINES = CompiledQuery(
    lambda *, order_id: Registration.objects.filter(order=order_id).select_related(
        "person", "group__activity", "week"
    )
)


def family_order(*, family: Family, public_id) -> Order | None:
    """One of the family's orders by its public id (None for another family's, or for a
    malformed id)."""
    try:
        public_id = public_id if isinstance(public_id, UUID) else UUID(str(public_id))
    except ValueError:
        return None
    return _FAMILY_ORDER.first(family_id=family.pk, public_id=public_id)


def order_lines(*, order: Order) -> list[Registration]:
    """The order's registrations, with child, activity and week."""
    return _ORDER_LINES.all(order_id=order.pk)


def family_orders(*, family: Family) -> QuerySet[Order]:
    return Order.objects.filter(family=family).prefetch_related(
        Prefetch(
            "registrations",
            queryset=Registration.objects.select_related("person", "group__activity", "week"),
        )
    )


@dataclass
class FamilyFile:
    confirmed: list[Registration]
    awaiting: list[Registration]
    orders: list[Order]
    today: date | None = None
    receipts: list[Receipt] = field(default_factory=list)


def family_registrations(*, family: Family, now: datetime | None = None) -> FamilyFile:
    """For « Mon dossier »: confirmed places, holds awaiting payment, and every order."""
    now = now or timezone.now()
    registrations = Registration.objects.filter(order__family=family).select_related(
        "person", "group__activity", "week", "order"
    )
    return FamilyFile(
        confirmed=[r for r in registrations if r.status == Registration.Status.CONFIRMED],
        awaiting=[
            r
            for r in registrations
            if r.status == Registration.Status.HELD
            and r.hold_expires_at > now
            and r.order.status == Order.Status.PENDING_PAYMENT
        ],
        orders=list(family_orders(family=family)),
        today=timezone.localdate(now),
        receipts=list(
            Receipt.objects.filter(payment__order__family=family).select_related("payment")
        ),
    )
