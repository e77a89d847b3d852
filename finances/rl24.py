"""The Relevé 24 (RL-24, « Frais de garde d'enfants ») of a tax year: the one place that
computes what each slip says, for the family's PDF, the staff CSV and the checks.

What Revenu Québec asks, as read on 2026-11-30 in its pages about the slip and its guide
(« Guide du relevé 24 », RL-24.G; English courtesy translation RL-24.G-V; the slip RL-24 and
its courtesy translation RL-24-T; the summary RL-24.S), all at revenuquebec.ca, « Formulaires
et publications »:

- Who files: any person that, for remuneration, provides childcare in Québec giving
  entitlement to the tax credit for childcare expenses, « notamment » a day camp (« camp de
  jour ») — so the town files for its camps.
- For whom: one slip per person (usually a parent) who paid the childcare expenses; the
  slip names each child (« nom de famille et prénom de chacun des enfants »).
- When: by the last day of February of the following year, copy 2 to the payer (by
  electronic means only with the payer's prior consent, which « Mon dossier » records by the
  family's own download), copy 1 or the data to Revenu Québec with the RL-24.S summary.
- « Code du relevé »: « R » original, « A » amended, « D » cancelled.
- Box C: the childcare expenses paid (also what the payer enters for the federal T778
  deduction when no other amount is noted); box D: the part of C that gives no right to the
  credit (e.g. outings or meals billed on top of the care); box E: the expenses that give
  the right to the credit (C minus D). Box H exists on the slip but its meaning could not
  be read in the sources found: it is left empty here, and must be checked against the
  current RL-24.G before the first filing.
- The number of days of care is printed per child ("days of care"); the sources found did
  not confirm its box letter, so the slip shows it by name, not by letter.

How this portal fills it:

- **Payment year.** The slip of year Y counts the charges *paid* in Y (the payment's date,
  not the order's nor the week's): an order paid on 5 January for a summer week is on the
  slip of that January's year; a waiting-list offer made in December and paid in January too.
- **Net of refunds.** Every refund of a charge paid in Y (a family's or a clerk's
  cancellation, a late payment given back, a duplicate payment given back) is taken off Y,
  pending ones included, failed ones not. A refund made after the year's slips were opened
  to families makes the slip « A » (amended): staff must file it again.
- **Per child.** A charge pays its order's lines; each line's share is its own frozen price
  (family-pricing reduction included), so a payment of two children is split between them.
  A refund of one line is that line's child's; a refund of the whole order is split like the
  charge.
- **What qualifies.** Camp weeks (« camp ») and the « Service de garde » (« daycare ») are
  childcare. « Transport à vélo » (``transport``) is **left out**: Québec's definition of
  childcare expenses (Taxation Act, s. 1029.8.67, as the federal s. 63(3)) excludes
  transportation, so it is neither in box C nor in box D. Nothing the portal sells is billed
  on top of the care (no outings, no meals), so box D is 0.
- **Days of care.** The weekdays (Monday to Friday) of the qualifying weeks paid in Y and
  still confirmed — the days the year's payments bought, even when the week falls in the
  next year — counted once per child and day (camp and daycare of the same week are the
  same days); a cancelled week counts no day.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Family, Person
from activities.models import Activity
from registrations.models import Payment, Registration

from .models import PayerInfo, Rl24Release

CENT = Decimal("0.01")
ZERO = Decimal("0")
QUALIFYING_KINDS = frozenset({Activity.Kind.CAMP, Activity.Kind.DAYCARE})
# Money moved or about to move; a failed refund gave nothing back.
COUNTED_STATUSES = (Payment.Status.SUCCEEDED, Payment.Status.PENDING)


@dataclass
class ChildAmounts:
    """One child's line on the slip."""

    person: Person
    days: int = 0
    paid: Decimal = ZERO  # box C
    not_eligible: Decimal = ZERO  # box D

    @property
    def eligible(self) -> Decimal:  # box E
        return self.paid - self.not_eligible


@dataclass
class Rl24Slip:
    year: int
    family: Family
    payer: PayerInfo | None
    children: list[ChildAmounts] = field(default_factory=list)
    code: str = "R"  # « R » original, « A » amended

    @property
    def number(self) -> str:
        """The town's own number for the slip: one per family and year."""
        return f"RL24-{self.year}-{self.family.pk:06d}"

    @property
    def paid(self) -> Decimal:
        return sum((c.paid for c in self.children), ZERO)

    @property
    def not_eligible(self) -> Decimal:
        return sum((c.not_eligible for c in self.children), ZERO)

    @property
    def eligible(self) -> Decimal:
        return sum((c.eligible for c in self.children), ZERO)

    @property
    def days(self) -> int:
        return sum(c.days for c in self.children)


def _local_year(value: datetime) -> int:
    return timezone.localtime(value).year


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    zone = timezone.get_default_timezone()
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def _shares(amount: Decimal, lines: list[Registration]) -> list[tuple[Registration, Decimal]]:
    """``amount`` split over ``lines`` in proportion to their prices, to the cent, the
    rounding left on the last line (so the shares add up to the amount exactly)."""
    basis = sum((line.price for line in lines), ZERO)
    if not lines or basis <= 0:
        return []
    shares, given = [], ZERO
    for line in lines[:-1]:
        share = (amount * line.price / basis).quantize(CENT, ROUND_HALF_UP)
        shares.append((line, share))
        given += share
    shares.append((lines[-1], amount - given))
    return shares


def _weekdays(start: date, end: date) -> set[date]:
    days, day = set(), start
    while day <= end:
        if day.weekday() < 5:
            days.add(day)
        day += timedelta(days=1)
    return days


def release_of(year: int) -> Rl24Release | None:
    return Rl24Release.objects.filter(year=year).first()


def rl24_slips(*, year: int, family: Family | None = None) -> list[Rl24Slip]:
    """Every slip of ``year`` (or only ``family``'s), families in id order, children by name.

    A family appears when something it paid in the year qualifies, even if it is all
    refunded (a slip with zero amounts is then still listed, so staff see why none is due)."""
    start, end = _year_bounds(year)
    payments: QuerySet[Payment] = Payment.objects.filter(
        status__in=COUNTED_STATUSES, amount__gt=0
    ).select_related("refund_of")
    if family is not None:
        payments = payments.filter(order__family=family)
    charges = list(
        payments.filter(kind=Payment.Kind.CHARGE, created_at__gte=start, created_at__lt=end)
    )
    order_ids = {c.order_id for c in charges}
    first_charge_year = _first_charge_years(order_ids)
    refunds = [
        r
        for r in payments.filter(kind=Payment.Kind.REFUND, order_id__in=order_ids)
        if (_local_year(r.refund_of.created_at) if r.refund_of else first_charge_year[r.order_id])
        == year
    ]
    lines_by_order: dict[int, list[Registration]] = defaultdict(list)
    for line in (
        Registration.objects.filter(order_id__in=order_ids)
        .select_related("person", "week", "order__family")
        .order_by("pk")
    ):
        lines_by_order[line.order_id].append(line)

    children: dict[tuple[int, int], ChildAmounts] = {}
    days: dict[tuple[int, int], set[date]] = defaultdict(set)

    def add(line: Registration, amount: Decimal) -> None:
        if line.kind not in QUALIFYING_KINDS:
            return  # transport: not childcare (see the module's docstring)
        key = (line.order.family_id, line.person_id)
        child = children.setdefault(key, ChildAmounts(person=line.person))
        child.paid += amount

    for charge in charges:
        lines = lines_by_order[charge.order_id]
        for line, share in _shares(charge.amount, lines):
            add(line, share)
        for line in lines:
            if line.kind in QUALIFYING_KINDS and line.status == Registration.Status.CONFIRMED:
                key = (line.order.family_id, line.person_id)
                days[key] |= _weekdays(line.week.starts_on, line.week.ends_on)
    for refund in refunds:
        lines = lines_by_order[refund.order_id]
        if refund.registration_id:
            targets = [(line, refund.amount) for line in lines if line.pk == refund.registration_id]
        else:
            targets = _shares(refund.amount, lines)
        for line, share in targets:
            add(line, -share)

    release = release_of(year)
    family_of_order = {o: ls[0].order.family_id for o, ls in lines_by_order.items() if ls}
    late_refund = (
        {
            family_of_order.get(r.order_id)
            for r in refunds
            if timezone.localdate(r.created_at) >= release.available_from
        }
        if release
        else set()
    )
    families = {
        line.order.family_id: line.order.family for ls in lines_by_order.values() for line in ls
    }
    payers = {p.family_id: p for p in PayerInfo.objects.filter(family_id__in=families)}
    slips: dict[int, Rl24Slip] = {}
    for (family_id, _person_id), child in sorted(
        children.items(), key=lambda kv: (kv[0][0], kv[1].person.first_name, kv[0][1])
    ):
        child.paid = max(child.paid, ZERO)  # never below nothing paid
        child.days = len(days[(family_id, _person_id)])
        slip = slips.get(family_id)
        if slip is None:
            slip = slips[family_id] = Rl24Slip(
                year=year,
                family=families[family_id],
                payer=payers.get(family_id),
                code="A" if family_id in late_refund else "R",
            )
        slip.children.append(child)
    return list(slips.values())


def _first_charge_years(order_ids: set[int]) -> dict[int, int]:
    """The year of each order's first counted charge (a refund with no ``refund_of`` gives
    back that payment)."""
    years: dict[int, int] = {}
    for order_id, created_at in (
        Payment.objects.filter(
            order_id__in=order_ids, kind=Payment.Kind.CHARGE, status__in=COUNTED_STATUSES
        )
        .order_by("created_at")
        .values_list("order_id", "created_at")
    ):
        years.setdefault(order_id, _local_year(created_at))
    return years


def family_slip(*, family: Family, year: int) -> Rl24Slip | None:
    slips = rl24_slips(year=year, family=family)
    return slips[0] if slips else None


@dataclass
class SlipYear:
    """A year of « Mon dossier »'s RL-24 list: open to download, or from when."""

    year: int
    available_from: date | None
    is_open: bool


def family_slip_years(*, family: Family, today: date | None = None) -> list[SlipYear]:
    """The tax years in which the family paid something, newest first, with their release."""
    today = today or timezone.localdate()
    years = sorted(
        {
            _local_year(created_at)
            for created_at in Payment.objects.filter(
                order__family=family,
                kind=Payment.Kind.CHARGE,
                status__in=COUNTED_STATUSES,
                amount__gt=0,
            ).values_list("created_at", flat=True)
        },
        reverse=True,
    )
    releases = dict(
        Rl24Release.objects.filter(year__in=years).values_list("year", "available_from")
    )
    return [
        SlipYear(
            year=year,
            available_from=releases.get(year),
            is_open=releases.get(year) is not None and releases[year] <= today,
        )
        for year in years
    ]


def legal_deadline(year: int) -> date:
    """The last day of February after ``year``: when the slips must be out at the latest."""
    return date(year + 1, 3, 1) - timedelta(days=1)


def issuer() -> dict[str, str]:
    """The town as the slip's issuer (« Renseignements sur le fournisseur de services »)."""
    return {
        "name": settings.MUNICIPALITY_NAME,
        "address": settings.MUNICIPALITY_ADDRESS,
        "number": settings.RL24_ISSUER_NUMBER,
    }
