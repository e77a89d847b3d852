"""The registration rules (invariant 4 and the opening dates), in one place.

Pure checks over facts loaded by the caller: the same function serves the
« S'inscrire » page, ``add_to_cart``, the cart re-check and ``checkout``.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Family, Person
from activities.models import Activity, Group
from activities.selectors import Availability, registration_open_at

from .models import CartItem, Registration

REASONS: dict[str, Promise] = {
    "age": _("This group is not for this child's age."),
    "already_registered": _("This child is already registered in this group."),
    "already_in_cart": _("This group is already in your cart for this child."),
    "camp_same_week": _("This child already has another camp that week."),
    "service_without_camp": _(
        "This service needs a camp the same week: choose that week's camp too."
    ),
    "not_open": _("Registration is not open yet."),
    "closed": _("Registration is closed."),
    "full": _("This group is full."),
}


@dataclass(frozen=True)
class Refusal:
    code: str

    @property
    def message(self) -> str:
        return str(REASONS[self.code])

    def __str__(self) -> str:
        return self.message


def age_on(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def opening_of(group: Group, *, family: Family) -> datetime:
    """Residents have their own, earlier, opening time."""
    return registration_open_at(season=group.week.season, is_resident=family.is_resident)


@dataclass
class PersonPlan:
    """What a child already has (registered) and is planning (cart, or this submission)."""

    registered_groups: set[int] = field(default_factory=set)
    registered_camp_weeks: set[int] = field(default_factory=set)
    planned_groups: set[int] = field(default_factory=set)
    planned_camp_weeks: set[int] = field(default_factory=set)

    def plan(self, group: Group) -> None:
        self.planned_groups.add(group.pk)
        if group.activity.kind == Activity.Kind.CAMP:
            self.planned_camp_weeks.add(group.week_id)


def registered_plans(*, persons: Iterable[Person], now: datetime) -> dict[int, PersonPlan]:
    """Each person's places taken (confirmed, or held and not expired)."""
    plans = {person.pk: PersonPlan() for person in persons}
    rows = (
        Registration.objects.occupying(now)
        .filter(person__in=list(plans))
        .values_list("person_id", "group_id", "week_id", "kind")
    )
    for person_id, group_id, week_id, kind in rows:
        plans[person_id].registered_groups.add(group_id)
        if kind == Activity.Kind.CAMP:
            plans[person_id].registered_camp_weeks.add(week_id)
    return plans


def cart_groups(*, family: Family) -> dict[int, set[int]]:
    """Groups already in the family's cart, by person id."""
    in_cart: dict[int, set[int]] = {}
    for person_id, group_id in CartItem.objects.filter(cart__family=family).values_list(
        "person_id", "group_id"
    ):
        in_cart.setdefault(person_id, set()).add(group_id)
    return in_cart


def order_key(group: Group) -> tuple:
    """Sort key that checks camps before the services that depend on them."""
    return (group.activity.kind != Activity.Kind.CAMP, group.week_id, group.pk)


def check(
    *,
    family: Family,
    person: Person,
    group: Group,
    plan: PersonPlan,
    availability: Availability | None,
    now: datetime,
    places_used: int = 0,
) -> Refusal | None:
    """The first rule that refuses ``group`` for ``person``, or None if it may be taken.

    ``plan`` holds what the child has and what was already accepted alongside
    (``planned_*``); ``places_used`` counts places already given in this same
    operation. ``availability`` None skips the capacity check.
    """
    season = group.week.season
    if now >= season.closes_at:
        return Refusal("closed")
    if now < opening_of(group, family=family):
        return Refusal("not_open")
    age = age_on(person.birth_date, season.age_reference_date)
    if not group.min_age <= age <= group.max_age:
        return Refusal("age")
    if group.pk in plan.registered_groups:
        return Refusal("already_registered")
    if group.pk in plan.planned_groups:
        return Refusal("already_in_cart")
    is_camp = group.activity.kind == Activity.Kind.CAMP
    camp_weeks = plan.registered_camp_weeks | plan.planned_camp_weeks
    if is_camp and group.week_id in camp_weeks:
        return Refusal("camp_same_week")
    if not is_camp and group.week_id not in camp_weeks:
        return Refusal("service_without_camp")
    if availability is not None and availability.public_free - places_used <= 0:
        return Refusal("full")
    return None
