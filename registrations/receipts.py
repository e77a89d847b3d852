"""What a receipt says, built once for its page and its PDF (``receipt_pdf``).

Town name and address, payer, each line (child, activity, week, dates, site, price and
its family-pricing reduction), the
payment's reference and method, the taxes included (none unless ``RECEIPT_TAXES`` says
so) and the season's refund policy.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import Family
from activities.models import Season
from portal.templatetags.money import format_money

from .models import Payment, Receipt, Registration

CENT = Decimal("0.01")


@dataclass
class ReceiptLine:
    child: str
    activity: str
    kind: str
    week: str
    starts_on: date
    ends_on: date
    site: str
    price: Decimal
    # Family pricing frozen on the line (« Tarif 2e enfant », the amount it took off).
    reduction: Decimal = Decimal("0")
    reduction_label: str = ""


@dataclass
class TaxLine:
    name: str
    rate: Decimal
    number: str
    amount: Decimal


@dataclass
class ReceiptData:
    receipt: Receipt
    is_refund: bool
    issued_at: datetime
    municipality_name: str
    municipality_address: str
    municipality_contact: str
    payer: str
    payer_address: str
    payer_email: str
    order_number: str
    lines: list[ReceiptLine]
    amount: Decimal
    reference: str
    method: str
    taxes: list[TaxLine]
    refund_policies: list[str] = field(default_factory=list)

    @property
    def number(self) -> str:
        return self.receipt.number

    @property
    def title(self) -> str:
        return _("Refund receipt") if self.is_refund else _("Payment receipt")


def family_receipts(*, family: Family) -> QuerySet[Receipt]:
    return Receipt.objects.filter(payment__order__family=family).select_related("payment__order")


def receipt_data(receipt: Receipt) -> ReceiptData:
    payment = receipt.payment
    order = payment.order
    family = order.family
    registrations = Registration.objects.filter(order=order).select_related(
        "person", "group__activity", "week__season"
    )
    if payment.registration_id:
        registrations = registrations.filter(pk=payment.registration_id)
    lines = [
        ReceiptLine(
            child=r.person.full_name,
            activity=r.group.activity.name,
            kind=r.group.activity.get_kind_display(),
            week=r.week.label,
            starts_on=r.week.starts_on,
            ends_on=r.week.ends_on,
            site=r.group.activity.site,
            price=r.price,
            reduction=r.family_reduction,
            reduction_label=r.family_pricing_label,
        )
        for r in sorted(registrations, key=lambda r: (r.person.first_name, r.week.starts_on))
    ]
    seasons = {r.week.season for r in registrations}
    return ReceiptData(
        receipt=receipt,
        is_refund=payment.kind == Payment.Kind.REFUND,
        issued_at=receipt.issued_at,
        municipality_name=settings.MUNICIPALITY_NAME,
        municipality_address=settings.MUNICIPALITY_ADDRESS,
        municipality_contact=settings.MUNICIPALITY_CONTACT,
        payer=f"{family.guardian_first_name} {family.guardian_last_name}",
        payer_address=f"{family.address}, {family.city} {family.postal_code}",
        payer_email=family.user.email,
        order_number=order.number,
        lines=lines,
        amount=payment.amount,
        reference=payment.provider_reference or order.provider_reference or "—",
        method=payment_method(payment.provider),
        taxes=included_taxes(payment.amount),
        refund_policies=[refund_policy(s) for s in sorted(seasons, key=lambda s: s.pk)],
    )


def payment_method(provider: str) -> str:
    return {
        "stripe": _("Card (Stripe)"),
        "simulated": _("Simulated payment (demonstration)"),
    }.get(provider, provider)


def included_taxes(amount: Decimal) -> list[TaxLine]:
    """The part of ``amount`` each configured tax represents (prices include the taxes)."""
    taxes = [(name, Decimal(rate), number) for name, rate, number in settings.RECEIPT_TAXES]
    if not taxes:
        return []
    base = amount * 100 / (100 + sum(rate for _name, rate, _number in taxes))
    return [
        TaxLine(
            name=name,
            rate=rate,
            number=number,
            amount=(base * rate / 100).quantize(CENT, ROUND_HALF_UP),
        )
        for name, rate, number in taxes
    ]


def refund_policy(season: Season) -> str:
    return _(
        "%(season)s: a cancellation made at least %(days)s days before the week starts is "
        "refunded, minus an administration fee of %(fee)s; later, nothing is refunded."
    ) % {
        "season": season.name,
        "days": season.refund_until_days,
        "fee": format_money(season.refund_admin_fee),
    }
