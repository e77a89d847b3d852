"""Family pricing: the 2nd child, and the 3rd and following, pay less for a camp week.

The one place where the rule is written. The cart (``selectors.cart_view``) and the order
(``services.lifecycle.create_pending_order``, so checkout and waiting-list offers alike)
both price their lines with ``price_family_lines``; the cart therefore shows the amount
the order will ask for.

The rule
- **Per week.** The children of the family who have a camp that week are ranked 1st,
  2nd, 3rd... The 1st pays the group's price, the 2nd the season's 2nd-child price, the
  3rd and following the season's 3rd-child price (resident or non-resident columns, by
  the family's residency, like the group's price). Services (daycare, transport) are
  never reduced and take no rank.
- **Lines already holding a place keep theirs.** A camp line confirmed, or held by an
  order awaiting payment or a waiting-list offer, keeps the rank and the price frozen on
  it (``Registration.family_rank``, ``price``, ``family_reduction``). New lines take the
  ranks still free that week, lowest first, **the most expensive line first**, a tie
  going to the child with the smaller id. So a child offered a place late is priced as
  the 2nd when a sibling is confirmed that week, and the same cart always gives the same
  prices.
- **Cancellation.** A cancelled line (by the family under the season's refund policy,
  or by staff) is refunded on **its own price**, what was paid for that line, never
  more; the remaining lines keep their frozen ranks and prices (nothing is charged
  again on a line already paid). The cancelled line's rank becomes free: the next camp
  line the family adds that week takes it. With the 1st child cancelled, the 2nd keeps
  its 2nd-child price, and a child added afterwards pays the 1st child's price.

A late payment confirmed after its hold ended keeps the prices it was shown (the amount
paid is always the amount the family saw), even if another order took the same rank
meanwhile; so do two orders of one family made at the same instant (a checkout and an
offer), which may both take the same free rank.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Family
from activities.models import Activity, Group, Season
from portal.compiled import CompiledQuery

from .models import Registration

CENT = Decimal("0.01")
ZERO = Decimal("0")


@dataclass(frozen=True)
class Reduction:
    """A season's family pricing for one residency: what the 2nd and the 3rd+ child get."""

    kind: str  # Season.ReductionKind: "amount" | "percent"
    second: Decimal = ZERO
    third: Decimal = ZERO

    @classmethod
    def of(cls, season: Season, *, is_resident: bool) -> "Reduction":
        if is_resident:
            second, third = (
                season.second_child_reduction_resident,
                season.third_child_reduction_resident,
            )
        else:
            second, third = (
                season.second_child_reduction_nonresident,
                season.third_child_reduction_nonresident,
            )
        return cls(kind=season.family_reduction_kind, second=second, third=third)

    def off(self, price: Decimal, rank: int | None) -> Decimal:
        """What rank ``rank`` takes off ``price`` (never more than the price)."""
        if rank is None or rank < 2:
            return ZERO
        value = self.second if rank == 2 else self.third
        if self.kind == Season.ReductionKind.PERCENT:
            value = (price * value / 100).quantize(CENT, ROUND_HALF_UP)
        return min(max(value, ZERO), price)


NO_REDUCTION = Reduction(kind=Season.ReductionKind.AMOUNT)


@dataclass(frozen=True)
class Held:
    """A camp line of the family already holding a place that week."""

    person_id: int
    week_id: int
    rank: int | None
    price: Decimal


@dataclass(frozen=True)
class Line:
    """A line to price: a child in a group, at the group's price for the family."""

    person_id: int
    week_id: int
    is_camp: bool
    list_price: Decimal
    reduction: Reduction = NO_REDUCTION


@dataclass(frozen=True)
class Price:
    list_price: Decimal
    rank: int | None  # camps only
    reduction: Decimal

    @property
    def price(self) -> Decimal:
        return self.list_price - self.reduction

    @property
    def label(self) -> str:
        return rank_label(self.rank) if self.reduction else ""


def rank_label(rank: int | None) -> str:
    """The name of a reduced line's rate, as towns publish it."""
    if rank is None or rank < 2:
        return ""
    if rank == 2:
        return _("2nd child rate")
    return _("3rd and following child rate")


def price_lines(*, lines: Sequence[Line], held: Iterable[Held]) -> list[Price]:
    """The price of each line (same order as ``lines``): pure, from the facts given.

    ``held``: the family's camp lines that already hold a place in the weeks concerned
    (their ranks are taken). Camp lines of a week are ranked most expensive first, ties
    by the child's id; a child that already holds that week's camp takes no new rank.
    """
    taken: dict[int, set[int]] = {}
    holders: dict[int, set[int]] = {}
    unranked: list[int] = []  # weeks of lines priced before family pricing existed
    for h in held:
        holders.setdefault(h.week_id, set()).add(h.person_id)
        if h.rank is None:
            unranked.append(h.week_id)
        else:
            taken.setdefault(h.week_id, set()).add(h.rank)
    for week_id in unranked:  # each takes the lowest rank left free that week
        _take_rank(taken.setdefault(week_id, set()))

    ranks: dict[int, int] = {}
    camps = [i for i, line in enumerate(lines) if line.is_camp]
    for i in sorted(camps, key=lambda i: (-lines[i].list_price, lines[i].person_id)):
        line = lines[i]
        if line.person_id in holders.get(line.week_id, set()):
            continue  # the rules refuse a second camp that week; it changes no rank
        holders.setdefault(line.week_id, set()).add(line.person_id)
        ranks[i] = _take_rank(taken.setdefault(line.week_id, set()))

    prices = []
    for i, line in enumerate(lines):
        rank = ranks.get(i)
        prices.append(
            Price(
                list_price=line.list_price,
                rank=rank,
                reduction=line.reduction.off(line.list_price, rank),
            )
        )
    return prices


def _take_rank(taken: set[int]) -> int:
    rank = 1
    while rank in taken:
        rank += 1
    taken.add(rank)
    return rank


# --- The facts, for the callers --------------------------------------------------------


# Every cart and checkout prices with it: compiled once per process (``portal.compiled``).
_HELD_CAMPS = CompiledQuery(
    lambda *, family_id, week_ids, now: (
        Registration.objects.occupying(now)
        .filter(order__family=family_id, week_id__in=week_ids, kind=Activity.Kind.CAMP)
        .order_by("week_id", "person_id")  # not Meta's: it joined the week and the child
        .values_list("person_id", "week_id", "family_rank", "price")
    )
)


def held_camp_lines(*, family: Family, week_ids: Iterable[int], now: datetime) -> list[Held]:
    """The family's camp lines that take a place (confirmed, or held and not expired)."""
    rows = _HELD_CAMPS.all(family_id=family.pk, week_ids=sorted(set(week_ids)), now=now)
    return [Held(person_id=p, week_id=w, rank=r, price=price) for p, w, r, price in rows]


def price_family_lines(
    *, family: Family, lines: Sequence[tuple[int, Group]], now: datetime | None = None
) -> list[Price]:
    """Price ``(person_id, group)`` lines for ``family`` now, counting the camps it
    already holds those weeks. The groups come with ``activity`` and ``week__season``."""
    now = now or timezone.now()
    reductions: dict[int, Reduction] = {}
    priced = []
    for person_id, group in lines:
        season = group.week.season
        if season.pk not in reductions:
            reductions[season.pk] = Reduction.of(season, is_resident=family.is_resident)
        priced.append(
            Line(
                person_id=person_id,
                week_id=group.week_id,
                is_camp=group.activity.kind == Activity.Kind.CAMP,
                list_price=group.price_for(is_resident=family.is_resident),
                reduction=reductions[season.pk],
            )
        )
    held = held_camp_lines(family=family, week_ids={line.week_id for line in priced}, now=now)
    return price_lines(lines=priced, held=held)
