"""The registration rules, in one place (invariants 3 and 4, the opening dates, the places).

Every path that gives a child a place or a place in line calls ``evaluate``: the cart,
the « S'inscrire » page, checkout, a late payment, a waiting-list join and an offer.
What differs between them is only the ``Policy`` (do the dates apply, which places
count), and the policies are the table below. The functions are pure checks over
facts the caller loads (``person_plans`` and the availability selector), so the same
check runs before the lock (to spare the parent a surprise) and under it (to decide).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Family, Person
from activities.models import Activity, Group
from activities.selectors import Availability, registration_open_at
from portal.compiled import CompiledQuery
from portal.errors import DomainError

from .models import Registration

REASONS: dict[str, Promise] = {
    "not_approved": _("Your family file must be approved before registering."),
    "not_in_family": _("This person is not in your family file."),
    "closed": _("Registration is closed."),
    "not_open": _("Registration is not open yet."),
    "age": _("This group is not for this child's age."),
    "already_registered": _("This child is already registered in this group."),
    "already_in_cart": _("This group is already in your cart for this child."),
    "already_waiting": _("This child is already on the waiting list of this group."),
    "camp_same_week": _("This child already has another camp that week."),
    "service_without_camp": _(
        "This service needs a camp the same week: choose that week's camp too."
    ),
    "not_a_service_of_that_week": _(
        "Only the daycare service or bike transport of the same week can be added."
    ),
    "full": _("This group is full."),
    "places_free": _("Places are available in this group: register normally instead."),
}


@dataclass(frozen=True)
class Refusal:
    code: str

    @property
    def message(self) -> str:
        return str(REASONS[self.code])

    def __str__(self) -> str:
        return self.message


class RegistrationRefused(DomainError):
    """A rule refused: raised where one refusal ends the operation."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(REASONS[refusal.code], code=refusal.code)


@dataclass(frozen=True)
class Policy:
    """Which rules apply on one path. Child and family rules always apply.

    ``places``: "public" (what the public may take: the line is served first),
    "line" (any free place: an offer to the family first in line), "full" (joining a
    line needs a group with no public place), or "none" (a service asked for with a
    waiting entry is priced and placed only when the offer is made).
    """

    dates: bool
    places: str
    # Before the opening, where the season lets families prepare their cart.
    before_opening: bool = False


# The table: one line per path that calls ``evaluate``.
CART = Policy(dates=True, places="public", before_opening=True)
CHECKOUT = Policy(dates=True, places="public")
# A payment after its hold ended: the order was made while registration was open.
LATE_PAYMENT = Policy(dates=False, places="public")
WAITLIST_JOIN = Policy(dates=True, places="full")
WAITLIST_ADDON = Policy(dates=True, places="none")
# Staff (or the automatic promotion) offer a freed place, whatever the date.
OFFER = Policy(dates=False, places="line")
# The services riding with an offer take only places nobody waits for.
OFFER_ADDON = Policy(dates=False, places="public")


@dataclass
class PersonPlan:
    """What a child has (places taken, lines joined) and what this operation adds."""

    registered_groups: set[int] = field(default_factory=set)
    registered_camp_weeks: set[int] = field(default_factory=set)
    waiting_groups: set[int] = field(default_factory=set)
    planned_groups: set[int] = field(default_factory=set)
    planned_camp_weeks: set[int] = field(default_factory=set)

    def plan(self, group: Group) -> None:
        self.planned_groups.add(group.pk)
        if group.activity.kind == Activity.Kind.CAMP:
            self.planned_camp_weeks.add(group.week_id)


def _places_taken(*, person_ids: list[int], now: datetime, exclude_order_id: int | None):
    taken = Registration.objects.occupying(now).filter(person__in=person_ids)
    if exclude_order_id is not None:
        taken = taken.filter(~Q(order=exclude_order_id))
    return taken.values_list("person_id", "group_id", "week_id", "kind")


# Every check of the rush reads it: compiled once per process (``portal.compiled``).
_PLACES_TAKEN = CompiledQuery(_places_taken)


def person_plans(
    *, persons: Iterable[Person], now: datetime, exclude_order_id: int | None = None
) -> dict[int, PersonPlan]:
    """Each person's places taken (confirmed, or held and not expired), in one query.

    ``exclude_order_id``: a late payment re-checks its own order's lines against the
    rest, so that order's own (expired) lines do not count against it.
    """
    plans = {person.pk: PersonPlan() for person in persons}
    taken = _PLACES_TAKEN.all(person_ids=sorted(plans), now=now, exclude_order_id=exclude_order_id)
    for person_id, group_id, week_id, kind in taken:
        plans[person_id].registered_groups.add(group_id)
        if kind == Activity.Kind.CAMP:
            plans[person_id].registered_camp_weeks.add(week_id)
    return plans


def order_key(group: Group) -> tuple:
    """Camps are checked before the services that depend on them."""
    return (group.activity.kind != Activity.Kind.CAMP, group.week_id, group.pk)


def family_refusal(*, family: Family, person: Person | None = None) -> Refusal | None:
    if not family.is_approved:
        return Refusal("not_approved")
    if person is not None and person.family_id != family.pk:
        return Refusal("not_in_family")
    return None


def dates_refusal(
    *, family: Family, group: Group, now: datetime, before_opening: bool = False
) -> Refusal | None:
    """Residents open first, non-residents later; everyone closes together. A cart may
    be prepared before the opening where the season allows it (nothing is reserved)."""
    season = group.week.season
    if now >= season.closes_at:
        return Refusal("closed")
    opens_at = registration_open_at(season=season, is_resident=family.is_resident)
    if now < opens_at and not (before_opening and season.prepared_carts):
        return Refusal("not_open")
    return None


def fits_age(*, person: Person, group: Group) -> bool:
    """Age on the season's reference date, for camps and services alike."""
    age = person.age_on(group.week.season.age_reference_date)
    return group.min_age <= age <= group.max_age


def child_refusal(*, person: Person, group: Group, plan: PersonPlan) -> Refusal | None:
    if not fits_age(person=person, group=group):
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
    return None


def places_refusal(
    *, availability: Availability | None, policy: Policy, used: int = 0
) -> Refusal | None:
    """``used``: places already given to earlier lines of the same operation."""
    if availability is None or policy.places == "none":
        return None
    if policy.places == "full":
        return Refusal("places_free") if availability.public_free > 0 else None
    free = availability.free if policy.places == "line" else availability.public_free
    return Refusal("full") if free - used <= 0 else None


def check(
    *,
    family: Family,
    person: Person,
    group: Group,
    plan: PersonPlan,
    availability: Availability | None,
    now: datetime,
    policy: Policy,
    used: int = 0,
) -> Refusal | None:
    """The first rule that refuses ``group`` for ``person``, or None if it may be taken.
    ``availability`` None skips the places (a page showing the places itself)."""
    refusal = family_refusal(family=family, person=person)
    if refusal is None and policy.dates:
        refusal = dates_refusal(
            family=family, group=group, now=now, before_opening=policy.before_opening
        )
    if refusal is None and policy.places in ("full", "none") and group.pk in plan.waiting_groups:
        refusal = Refusal("already_waiting")
    if refusal is None:
        refusal = child_refusal(person=person, group=group, plan=plan)
    if refusal is None:
        refusal = places_refusal(availability=availability, policy=policy, used=used)
    return refusal


@dataclass
class Verdict:
    person: Person
    group: Group
    refusal: Refusal | None


def evaluate(
    *,
    family: Family,
    lines: Iterable[tuple[Person, Group]],
    plans: dict[int, PersonPlan],
    availability: dict[int, Availability] | None,
    now: datetime,
    policy: Policy,
) -> list[Verdict]:
    """Check lines together, camps first: an accepted camp lets that week's services
    through, and each accepted line uses one of its group's places. The plans are
    updated with what was accepted. Verdicts come back in checking order."""
    used: dict[int, int] = {}
    verdicts = []
    for person, group in sorted(lines, key=lambda line: order_key(line[1])):
        refusal = check(
            family=family,
            person=person,
            group=group,
            plan=plans[person.pk],
            availability=None if availability is None else availability.get(group.pk),
            now=now,
            policy=policy,
            used=used.get(group.pk, 0),
        )
        if refusal is None:
            plans[person.pk].plan(group)
            used[group.pk] = used.get(group.pk, 0) + 1
        verdicts.append(Verdict(person=person, group=group, refusal=refusal))
    return verdicts


def addon_refusal(*, group: Group, addon: Group) -> Refusal | None:
    """A service riding with a waiting entry must be a service of that entry's week."""
    if addon.week_id != group.week_id or addon.activity.kind == Activity.Kind.CAMP:
        return Refusal("not_a_service_of_that_week")
    return None
