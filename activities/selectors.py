"""Shared reads of the catalogue. Availability is computed here and nowhere else."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal.compiled import CompiledQuery

from .models import Activity, Group, Season, Week


@dataclass(frozen=True)
class Availability:
    """Places of one group, from facts (invariant 1), never from a stored counter."""

    capacity: int
    taken: int  # confirmed registrations + holds not yet expired (waitlist offers included)
    waiting: int  # waiting-list entries still waiting (not yet offered)

    @property
    def free(self) -> int:
        """Places nobody holds: what a waitlist offer may take."""
        return max(self.capacity - self.taken, 0)

    @property
    def public_free(self) -> int:
        """Places the public may take: freed places go to the waiting list first."""
        return max(self.capacity - self.taken - self.waiting, 0)

    @property
    def is_full(self) -> bool:
        return self.public_free == 0


def _places_facts(now: datetime) -> tuple[QuerySet, QuerySet]:
    """Invariant 1's facts: the registrations that take a place (confirmed, or held and not
    expired) and the waiting-list entries still waiting."""
    from registrations.models import Registration
    from waitlist.models import WaitlistEntry

    waiting = WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING)
    return Registration.objects.occupying(now), waiting


def _count_subquery(queryset: QuerySet) -> Coalesce:
    counted = (
        queryset.filter(group=OuterRef("pk"))
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_availability(groups: QuerySet[Group], *, now: datetime | None = None) -> QuerySet[Group]:
    """Annotate ``taken`` and ``waiting`` on a group queryset, in the same single query."""
    taken, waiting = _places_facts(now or timezone.now())
    return groups.annotate(taken=_count_subquery(taken), waiting=_count_subquery(waiting))


def availability_of(group: Group) -> Availability:
    """Availability of a group fetched through ``with_availability``."""
    return Availability(capacity=group.capacity, taken=group.taken, waiting=group.waiting)


_ZERO = Value(0, output_field=IntegerField())


def _counts_by_group(facts: QuerySet, group_ids: list[int], *columns) -> QuerySet:
    return (
        facts.filter(group__in=group_ids)
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values_list("group", *columns)
    )


def _availability_rows(*, group_ids: list[int], now: datetime) -> QuerySet:
    """(group, capacity, taken, waiting) rows, each with one figure and zeros, in one
    statement: the capacities, then one count per table over the groups asked for. Unlike a
    count per group, each part reads its table once whatever the plan: PostgreSQL keeps the
    plan a connection made before the opening, when registrations was empty, and there a
    count per group became one full scan per group as the rush filled it."""
    taken, waiting = _places_facts(now)
    capacities = Group.objects.filter(pk__in=group_ids).order_by()
    return capacities.values_list("pk", "capacity", _ZERO, _ZERO).union(
        _counts_by_group(taken, group_ids, _ZERO, "n", _ZERO),
        _counts_by_group(waiting, group_ids, _ZERO, _ZERO, "n"),
        all=True,
    )


# Every step of the rush asks for it: compiled once per process (``portal.compiled``).
_AVAILABILITY = CompiledQuery(_availability_rows)


def group_availability(
    *, group_ids: Iterable[int], now: datetime | None = None
) -> dict[int, Availability]:
    """Availability of any number of groups, in one query."""
    rows = _AVAILABILITY.all(group_ids=sorted(set(group_ids)), now=now or timezone.now())
    totals: dict[int, tuple[int, int, int]] = {}
    for pk, capacity, taken, waiting in rows:  # one figure per row, the others zero
        c, t, w = totals.get(pk, (0, 0, 0))
        totals[pk] = (c + capacity, t + taken, w + waiting)
    return {pk: Availability(capacity=c, taken=t, waiting=w) for pk, (c, t, w) in totals.items()}


_GROUPS_WITH_SEASON = CompiledQuery(
    lambda *, group_ids: Group.objects.filter(pk__in=group_ids).select_related(
        "activity", "week__season"
    )
)


def groups_with_season(*, group_ids: Iterable[int]) -> list[Group]:
    """Groups with their activity, week and season: what the registration rules read."""
    return _GROUPS_WITH_SEASON.all(group_ids=sorted(set(group_ids)))


def week_services(*, week_id: int, among: Iterable[int] | None = None) -> QuerySet[Group]:
    """The week's add-on groups (« Service de garde », « Transport à vélo »), optionally only
    those among some ids."""
    services = Group.objects.filter(
        week_id=week_id, activity__kind__in=(Activity.Kind.DAYCARE, Activity.Kind.TRANSPORT)
    )
    if among is not None:
        services = services.filter(pk__in=list(among))
    return services.select_related("activity")


# --- Seasons and registration opening ----------------------------------------


def open_seasons(*, now: datetime | None = None) -> QuerySet[Season]:
    """Seasons that can be browsed: until registration closes, even before it opens."""
    now = now or timezone.now()
    return Season.objects.filter(closes_at__gt=now).order_by("opens_at", "pk")


def registration_open_at(*, season: Season, is_resident: bool) -> datetime:
    """When a family may start registering: residents open first, non-residents later."""
    return season.opens_at if is_resident else season.opens_at_nonresident


def is_registration_open(*, season: Season, is_resident: bool, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return registration_open_at(season=season, is_resident=is_resident) <= now < season.closes_at


# --- Catalogue ---------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueItem:
    group: Group
    availability: Availability


@dataclass
class CatalogueWeek:
    week: Week
    items: list[CatalogueItem] = field(default_factory=list)


def catalogue_weeks_choices(*, now: datetime | None = None) -> QuerySet[Week]:
    """Weeks of the open seasons, for the week filter."""
    return (
        Week.objects.filter(season__in=open_seasons(now=now))
        .select_related("season")
        .order_by("season__opens_at", "season_id", "number")
    )


# The fields the catalogue shows; the others stay deferred (a template that reads one costs a
# query, which the catalogue's query-count test sees).
_CATALOGUE_FIELDS = (
    *("id", "activity", "week", "capacity", "price_resident", "price_nonresident"),
    *("min_age", "max_age"),
    *(f"activity__{name}" for name in ("kind", "name", "site")),
    *(f"week__{name}" for name in ("season", "number", "starts_on", "ends_on")),
    *(f"week__season__{name}" for name in ("name", "opens_at", "opens_at_nonresident")),
    "week__season__closes_at",
)


def _catalogue_groups(
    *, now: datetime, week_id: int | None, age: int | None, kind: str | None
) -> QuerySet[Group]:
    groups = Group.objects.filter(week__season__in=open_seasons(now=now))
    if week_id is not None:
        groups = groups.filter(week_id=week_id)
    if age is not None:
        groups = groups.filter(min_age__lte=age, max_age__gte=age)
    if kind is not None:
        groups = groups.filter(activity__kind=kind)
    return (
        with_availability(groups, now=now)
        .select_related("activity", "week__season")
        .only(*_CATALOGUE_FIELDS)
        .order_by(
            "week__season__opens_at",
            "week__season_id",
            "week__number",
            "activity__kind",
            "min_age",
            "activity__name",
            "pk",
        )
    )


# Compiled once per process; each activity, week and season is built once per result, not
# once per group (``portal.compiled``): the ORM's own ``select_related`` built 1,200 objects
# for the benchmark's town, most of the catalogue's CPU once a second during the rush.
_CATALOGUE = CompiledQuery(_catalogue_groups)


def catalogue(
    *,
    week_id: int | None = None,
    age: int | None = None,
    kind: str | None = None,
    now: datetime | None = None,
) -> list[CatalogueWeek]:
    """Groups of the open seasons with their availability, grouped by week, in one query
    whatever the number of groups."""
    weeks: dict[int, CatalogueWeek] = {}
    for group in _CATALOGUE.all(
        now=now or timezone.now(), week_id=week_id, age=age, kind=kind or None
    ):
        entry = weeks.setdefault(group.week_id, CatalogueWeek(week=group.week))
        entry.items.append(CatalogueItem(group=group, availability=availability_of(group)))
    return list(weeks.values())
