"""The season at a glance: fill by week and age band, waiting families, money per week,
registrations per hour since the opening. Places come from the availability selector and
money from the payments: the dashboard counts nothing of its own."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Sum

from activities.models import Activity, Group, Season, Week
from activities.selectors import Availability, group_availability
from registrations.models import Payment, Registration

CENT = Decimal("0.01")
HOURS_SHOWN = 48


@dataclass(frozen=True)
class HeatCell:
    week: Week
    band: tuple[int, int]
    capacity: int
    taken: int
    waiting: int

    @property
    def rate(self) -> int | None:
        """Percentage of places taken; None when the band has no group that week."""
        return round(100 * self.taken / self.capacity) if self.capacity else None

    @property
    def level(self) -> str:
        """0 (empty) to 5 (full): the colour class of the cell."""
        if self.rate is None:
            return "none"
        return str(min(5, (self.rate + 19) // 20))


@dataclass(frozen=True)
class GroupWaiting:
    group: Group
    availability: Availability


@dataclass(frozen=True)
class WeekMoney:
    week: Week
    revenue: Decimal
    refunds: Decimal

    @property
    def net(self) -> Decimal:
        return self.revenue - self.refunds


@dataclass
class Dashboard:
    season: Season
    weeks: list[Week]
    bands: list[tuple[int, int]]
    heat: dict[tuple[int, tuple[int, int]], HeatCell]
    waiting: list[GroupWaiting]
    money: list[WeekMoney]
    hours: list[int] = field(default_factory=list)  # registrations in hour n after opening
    later: int = 0  # registrations after the hours shown

    @property
    def rows(self) -> list[tuple[tuple[int, int], list[HeatCell]]]:
        return [(band, [self.heat[(w.pk, band)] for w in self.weeks]) for band in self.bands]

    @property
    def revenue(self) -> Decimal:
        return sum((m.revenue for m in self.money), Decimal("0"))

    @property
    def refunds(self) -> Decimal:
        return sum((m.refunds for m in self.money), Decimal("0"))

    @property
    def net(self) -> Decimal:
        return self.revenue - self.refunds


def allocate(amount: Decimal, prices: list[Decimal]) -> list[Decimal]:
    """Split a payment over its lines in proportion to their prices, to the cent, the
    rounding left on the last line so that the parts add up to the payment exactly."""
    total = sum(prices, Decimal("0"))
    if not prices:
        return []
    if total == 0:
        parts = [Decimal("0")] * len(prices)
    else:
        parts = [(amount * price / total).quantize(CENT) for price in prices]
    parts[-1] += amount - sum(parts, Decimal("0"))
    return parts


def _money_per_week(season: Season, weeks: list[Week]) -> list[WeekMoney]:
    order_ids = set(
        Registration.objects.filter(week__season=season).values_list("order_id", flat=True)
    )
    # An order's lines, all seasons included, so that each payment is split over all of them.
    lines: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for order_id, week_id, price in (
        Registration.objects.filter(order_id__in=order_ids)
        .order_by("order_id", "pk")
        .values_list("order_id", "week_id", "price")
    ):
        lines[order_id].append((week_id, price))
    per_kind = {
        Payment.Kind.CHARGE: defaultdict(Decimal),
        Payment.Kind.REFUND: defaultdict(Decimal),
    }
    payments = (
        Payment.objects.filter(order_id__in=order_ids)
        .values("order_id", "kind")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    for payment in payments:
        order_lines = lines[payment["order_id"]]
        parts = allocate(payment["amount"], [price for _week, price in order_lines])
        for (week_id, _price), part in zip(order_lines, parts, strict=True):
            per_kind[payment["kind"]][week_id] += part
    return [
        WeekMoney(
            week=week,
            revenue=per_kind[Payment.Kind.CHARGE][week.pk],
            refunds=per_kind[Payment.Kind.REFUND][week.pk],
        )
        for week in weeks
    ]


def _per_hour(season: Season) -> tuple[list[int], int]:
    hours = [0] * HOURS_SHOWN
    later = 0
    opens: datetime = season.opens_at
    for confirmed_at in Registration.objects.filter(
        week__season=season, status=Registration.Status.CONFIRMED, confirmed_at__isnull=False
    ).values_list("confirmed_at", flat=True):
        hour = int((confirmed_at - opens).total_seconds() // 3600)
        if 0 <= hour < HOURS_SHOWN:
            hours[hour] += 1
        elif hour >= HOURS_SHOWN:
            later += 1
    return hours, later


def season_dashboard(*, season: Season) -> Dashboard:
    weeks = list(season.weeks.order_by("number"))
    groups = list(
        Group.objects.filter(week__season=season)
        .select_related("activity", "week")
        .order_by("week__number", "activity__kind", "min_age", "activity__name")
    )
    places = group_availability(group_ids=[g.pk for g in groups])
    camps = [g for g in groups if g.activity.kind == Activity.Kind.CAMP]
    bands = sorted({(g.min_age, g.max_age) for g in camps})
    sums: dict[tuple[int, tuple[int, int]], list[int]] = defaultdict(lambda: [0, 0, 0])
    for group in camps:
        cell = sums[(group.week_id, (group.min_age, group.max_age))]
        a = places[group.pk]
        cell[0] += a.capacity
        cell[1] += a.taken
        cell[2] += a.waiting
    heat = {
        (week.pk, band): HeatCell(week, band, *sums[(week.pk, band)])
        for week in weeks
        for band in bands
    }
    waiting = sorted(
        (GroupWaiting(g, places[g.pk]) for g in groups if places[g.pk].waiting),
        key=lambda item: (-item.availability.waiting, item.group.week.number),
    )
    hours, later = _per_hour(season)
    return Dashboard(
        season=season,
        weeks=weeks,
        bands=bands,
        heat=heat,
        waiting=waiting,
        money=_money_per_week(season, weeks),
        hours=hours,
        later=later,
    )
