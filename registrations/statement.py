"""The family's account statement for a season: every charge, payment, refund and the
running balance, read from the facts (orders, their lines and payments).

A charge is the order's total and lists its lines, each with its family-pricing reduction
(« Tarif 2e enfant ») when it had one. A cancelled line is a credit of the amount refunded
for it (the administration fee it kept stays charged); money paid that was not asked for
(a second payment, another amount) and given back shows as a payment and its refund, with
no charge. The balance is what the
family owes (positive) or is owed (negative).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.models import Family
from activities.models import Season
from portal.words import colon, format_money

from .models import Order, Payment, Registration

UNASKED = ("duplicate_payment", "amount_mismatch")


@dataclass
class StatementRow:
    at: datetime
    kind: str  # "charge" | "payment" | "cancellation" | "refund"
    label: str
    reference: str
    amount: Decimal  # + owed by the family, - paid or credited
    pending: bool = False
    balance: Decimal = Decimal("0")

    @property
    def charge(self) -> Decimal:
        return max(self.amount, Decimal("0"))

    @property
    def credit(self) -> Decimal:
        return max(-self.amount, Decimal("0"))


@dataclass
class Statement:
    family: Family
    season: Season | None
    seasons: list[Season]
    rows: list[StatementRow]

    @property
    def balance(self) -> Decimal:
        return self.rows[-1].balance if self.rows else Decimal("0")

    def total(self, kind: str) -> Decimal:
        return sum((abs(r.amount) for r in self.rows if r.kind == kind), Decimal("0"))

    @property
    def charged(self) -> Decimal:
        return self.total("charge")

    @property
    def paid(self) -> Decimal:
        return self.total("payment")

    @property
    def refunded(self) -> Decimal:
        return self.total("refund")


def line_label(registration: Registration) -> str:
    """« Léa — Camp Aventure », with its family-pricing reduction when it had one."""
    label = f"{registration.person.first_name} — {registration.group.activity.name}"
    if registration.family_reduction:
        reduction = format_money(registration.family_reduction)
        label += f" ({registration.family_pricing_label}{colon()} −{reduction})"
    return label


def family_seasons(*, family: Family) -> list[Season]:
    return list(
        Season.objects.filter(weeks__groups__registrations__order__family=family).distinct()
    )


def account_statement(*, family: Family, season: Season | None = None) -> Statement:
    seasons = family_seasons(family=family)
    season = season or (seasons[0] if seasons else None)
    if season is None:
        return Statement(family=family, season=None, seasons=seasons, rows=[])
    orders = (
        Order.objects.filter(family=family, registrations__week__season=season)
        .distinct()
        .prefetch_related("registrations__person", "registrations__group__activity")
    )
    payments = (
        Payment.objects.filter(order__in=orders)
        .exclude(status=Payment.Status.FAILED)
        .select_related("order", "registration__person", "registration__week")
    )
    charged_orders = {p.order_id for p in payments if p.kind == Payment.Kind.CHARGE}
    rows: list[StatementRow] = []
    for order in orders:
        if order.pk not in charged_orders:
            continue  # never paid: nothing was owed
        lines = ", ".join(line_label(r) for r in order.registrations.all())
        rows.append(
            StatementRow(
                at=order.paid_at or order.created_at,
                kind="charge",
                label=_("Order %(number)s: %(lines)s") % {"number": order.number, "lines": lines},
                reference=order.number,
                amount=order.total,
            )
        )
    for payment in payments:
        pending = payment.status == Payment.Status.PENDING
        if payment.kind == Payment.Kind.CHARGE:
            rows.append(
                StatementRow(
                    at=payment.created_at,
                    kind="payment",
                    label=_("Payment"),
                    reference=payment.provider_reference,
                    amount=-payment.amount,
                    pending=pending,
                )
            )
            continue
        if payment.amount == 0:
            continue
        if payment.reason not in UNASKED:
            line = payment.registration
            what = f"{line.person.first_name} — {line.week.label}" if line else payment.order.number
            rows.append(
                StatementRow(
                    at=payment.created_at,
                    kind="cancellation",
                    label=_("Cancellation: %(what)s") % {"what": what},
                    reference=payment.order.number,
                    amount=-payment.amount,
                )
            )
        rows.append(
            StatementRow(
                at=payment.created_at,
                kind="refund",
                label=_("Refund"),
                reference=payment.provider_reference,
                amount=payment.amount,
                pending=pending,
            )
        )
    order_of_kinds = {"charge": 0, "payment": 1, "cancellation": 2, "refund": 3}
    rows.sort(key=lambda r: (r.at, order_of_kinds[r.kind]))
    balance = Decimal("0")
    for row in rows:
        balance += row.amount
        row.balance = balance
    return Statement(family=family, season=season, seasons=seasons, rows=rows)
