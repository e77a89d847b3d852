"""Shared reads of the registration side: cart, « S'inscrire » options, the family's file."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import Family, Person
from activities.models import Activity, Group, Season, Week
from activities.selectors import Availability, group_availability
from waitlist.models import WaitlistEntry

from . import rules
from .models import CartItem, Order, Registration


def cart_item_count(*, family: Family) -> int:
    return CartItem.objects.filter(cart__family=family).count()


def children_of(*, family: Family) -> QuerySet[Person]:
    return family.persons.filter(relationship=Person.Relationship.CHILD)


# --- Cart ---------------------------------------------------------------------


@dataclass
class CartLine:
    item: CartItem
    price: Decimal
    refusal: rules.Refusal | None

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

    @property
    def lines(self) -> list[CartLine]:
        return [line for entry in self.persons for line in entry.lines]

    @property
    def payable(self) -> list[CartLine]:
        return [line for line in self.lines if line.refusal is None]


def cart_items(*, family: Family) -> QuerySet[CartItem]:
    return CartItem.objects.filter(cart__family=family).select_related(
        "person", "group__activity", "group__week__season"
    )


def cart_view(*, family: Family, now: datetime | None = None) -> CartView:
    """The cart, re-checked against every rule and the current availability."""
    now = now or timezone.now()
    items = list(cart_items(family=family))
    availability = group_availability(group_ids={i.group_id for i in items}, now=now)
    plans = rules.registered_plans(persons={i.person for i in items}, now=now)
    used: dict[int, int] = {}
    checked: dict[int, CartLine] = {}
    for item in sorted(items, key=lambda i: rules.order_key(i.group)):
        group, plan = item.group, plans[item.person_id]
        refusal = rules.check(
            family=family,
            person=item.person,
            group=group,
            plan=plan,
            availability=availability.get(group.pk),
            now=now,
            places_used=used.get(group.pk, 0),
        )
        if refusal is None:
            plan.plan(group)
            used[group.pk] = used.get(group.pk, 0) + 1
        price = group.price_for(is_resident=family.is_resident)
        checked[item.pk] = CartLine(item=item, price=price, refusal=refusal)
    persons: dict[int, CartPerson] = {}
    for item in items:
        persons.setdefault(item.person_id, CartPerson(person=item.person)).lines.append(
            checked[item.pk]
        )
    total = sum((line.price for line in checked.values() if line.refusal is None), Decimal("0"))
    return CartView(persons=list(persons.values()), total=total)


# --- « S'inscrire » -------------------------------------------------------------


@dataclass
class GroupOption:
    group: Group
    availability: Availability
    price: Decimal
    status: str  # "available" | "registered" | "in_cart" | "waiting" | "full" | "not_open"

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


def register_options(
    *, family: Family, person: Person, now: datetime | None = None
) -> list[SeasonOptions]:
    """Groups the child may take in seasons not yet closed, by week: camps for the
    child's age, and the week's daycare and bike transport, with places left."""
    now = now or timezone.now()
    # Only the groups of the child's age are loaded and counted (the age is per season).
    fits_age = Q(pk__in=[])
    for season in Season.objects.filter(closes_at__gt=now):
        age = rules.age_on(person.birth_date, season.age_reference_date)
        fits_age |= Q(week__season=season, min_age__lte=age, max_age__gte=age)
    groups = list(Group.objects.filter(fits_age).select_related("activity", "week__season"))
    availability = group_availability(group_ids=[g.pk for g in groups], now=now)
    plan = rules.registered_plans(persons=[person], now=now)[person.pk]
    in_cart = rules.cart_groups(family=family).get(person.pk, set())
    in_line = set(
        WaitlistEntry.objects.filter(
            person=person, status__in=(WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED)
        ).values_list("group_id", flat=True)
    )
    seasons: dict[int, SeasonOptions] = {}
    weeks: dict[int, WeekOptions] = {}
    for group in sorted(groups, key=lambda g: (g.week.starts_on, g.activity.kind, g.min_age)):
        age = rules.age_on(person.birth_date, group.week.season.age_reference_date)
        if not group.min_age <= age <= group.max_age:
            continue
        season = group.week.season
        opens_at = rules.opening_of(group, family=family)
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
        elif now < opens_at:
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
        )
        if group.activity.kind == Activity.Kind.CAMP:
            weeks[group.week_id].camps.append(option)
        else:
            weeks[group.week_id].services.append(option)
    return list(seasons.values())


# --- Orders and the family's file ----------------------------------------------


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
    )
