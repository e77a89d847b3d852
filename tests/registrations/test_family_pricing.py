"""Family pricing: the 2nd child, and the 3rd and following, pay less for a camp week.

« 1 enfant 200 $, 2e enfant 175 $, 3e enfant 150 $ » (residents), 260 / 230 / 200 $
(non-residents); services are never reduced. See ``registrations.pricing`` for the rule.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from activities.models import Season
from registrations import pricing, services
from registrations.models import Order, Receipt, Registration
from registrations.payments import RefundResult
from registrations.payments.simulated import SimulatedProvider
from registrations.selectors import cart_view
from registrations.services import family_cancellation
from registrations.statement import account_statement
from tests import factories
from waitlist.services import offer_place

from .helpers import paid_order, pay, text
from .test_receipts import pdf_text

NBSP = "\u00a0"
D = Decimal


def money(amount: str) -> str:
    """« 175,00 $ » as the French pages write it."""
    return amount.replace(".", ",") + f"{NBSP}$"


@pytest.fixture
def season(db):
    return factories.SeasonFactory(
        family_reduction_kind=Season.ReductionKind.AMOUNT,
        second_child_reduction_resident=D("25"),
        third_child_reduction_resident=D("50"),
        second_child_reduction_nonresident=D("30"),
        third_child_reduction_nonresident=D("60"),
    )


def camp_of(week, name: str, resident: str = "200", nonresident: str = "260", capacity=10):
    return factories.GroupFactory(
        week=week,
        activity=factories.ActivityFactory(name=name),
        price_resident=D(resident),
        price_nonresident=D(nonresident),
        capacity=capacity,
    )


@pytest.fixture
def camp(week):
    return camp_of(week, "Camp Aventure")


@pytest.fixture
def camp2(week2):
    return camp_of(week2, "Camp Aventure")


@pytest.fixture
def zoe(family):
    return factories.PersonFactory(family=family, first_name="Zoé", birth_date=date(2018, 1, 9))


@pytest.fixture
def provider_refunds(monkeypatch):
    refunds = []

    def refund(self, *, payment_reference, amount, key, order):
        refunds.append(amount)
        return RefundResult(reference=f"re_{key}", status="succeeded")

    monkeypatch.setattr(SimulatedProvider, "refund", refund)
    return refunds


def prices(order: Order) -> dict[tuple[str, int], tuple[Decimal, int | None, Decimal]]:
    """(child, week number) -> (price, rank, reduction) of the order's camp lines."""
    return {
        (r.person.first_name, r.week.number): (r.price, r.family_rank, r.family_reduction)
        for r in order.registrations.filter(kind="camp").select_related("person", "week")
    }


# --- The rule itself (pure) ---------------------------------------------------------------

AMOUNTS = pricing.Reduction(kind="amount", second=D("25"), third=D("50"))


def line(person_id: int, price: str, *, week_id: int = 1, is_camp: bool = True, reduction=AMOUNTS):
    return pricing.Line(
        person_id=person_id,
        week_id=week_id,
        is_camp=is_camp,
        list_price=D(price),
        reduction=reduction,
    )


def test_the_most_expensive_camp_is_the_first_child_and_ties_go_to_the_smaller_id():
    lines = [line(3, "200"), line(2, "240"), line(1, "200"), line(4, "200")]
    result = pricing.price_lines(lines=lines, held=[])
    assert [(p.rank, p.price) for p in result] == [
        (3, D("150")),  # 200, tie with 1 and 4: third by id
        (1, D("240")),  # the most expensive: full price
        (2, D("175")),
        (4, D("150")),  # the 4th pays the 3rd-and-following rate
    ]
    with translation.override("en"):
        assert (result[2].label, result[0].label, result[1].label) == (
            "2nd child rate",
            "3rd and following child rate",
            "",
        )


def test_services_are_never_reduced_and_take_no_rank():
    lines = [line(1, "200"), line(2, "200"), line(2, "40", is_camp=False)]
    result = pricing.price_lines(lines=lines, held=[])
    assert [(p.rank, p.price) for p in result] == [(1, D("200")), (2, D("175")), (None, D("40"))]


def test_each_week_is_ranked_on_its_own():
    lines = [line(1, "200", week_id=1), line(2, "200", week_id=2)]
    assert [p.price for p in pricing.price_lines(lines=lines, held=[])] == [D("200"), D("200")]


def test_new_lines_take_the_ranks_left_free_by_the_lines_held():
    held = [pricing.Held(person_id=1, week_id=1, rank=2, price=D("175"))]
    result = pricing.price_lines(lines=[line(2, "200"), line(3, "200")], held=held)
    assert [(p.rank, p.price) for p in result] == [(1, D("200")), (3, D("150"))]


def test_a_line_held_before_family_pricing_takes_the_first_free_rank():
    held = [pricing.Held(person_id=1, week_id=1, rank=None, price=D("200"))]
    assert pricing.price_lines(lines=[line(2, "200")], held=held)[0].rank == 2


def test_percentages_are_rounded_to_the_cent_and_a_reduction_never_goes_below_zero():
    percent = pricing.Reduction(kind="percent", second=D("12.5"), third=D("100"))
    result = pricing.price_lines(
        lines=[
            line(1, "199.99", reduction=percent),
            line(2, "185.55", reduction=percent),
            line(3, "100", reduction=percent),
        ],
        held=[],
    )
    assert [p.price for p in result] == [D("199.99"), D("162.36"), D("0")]
    big = pricing.Reduction(kind="amount", second=D("500"), third=D("500"))
    result = pricing.price_lines(lines=[line(1, "90"), line(2, "80", reduction=big)], held=[])
    assert (result[1].price, result[1].reduction) == (D("0"), D("80"))


def test_a_percentage_over_100_is_refused_by_the_season(season):
    season.family_reduction_kind = Season.ReductionKind.PERCENT
    season.second_child_reduction_resident = D("120")
    with pytest.raises(ValidationError):
        season.full_clean()


# --- Through the cart, checkout and payment -----------------------------------------------


def test_one_child_pays_the_full_price_every_week(family, lea, camp, camp2):
    order = paid_order(family=family, items=[(lea, [camp, camp2])])
    assert prices(order) == {("Léa", 1): (D("200"), 1, D("0")), ("Léa", 2): (D("200"), 1, D("0"))}
    assert order.total == D("400")


def test_two_children_the_cart_shows_the_second_child_rate_and_checkout_asks_for_it(
    parent_client, family, lea, noah, camp, camp2, daycare
):
    services.add_to_cart(family=family, person=lea, groups=[camp, camp2])
    services.add_to_cart(family=family, person=noah, groups=[camp, daycare])

    page = text(parent_client.get(reverse("registrations:cart")))
    assert "Tarif 2e enfant" in page
    assert f"−{money('25.00')}" in page
    with translation.override("fr"):
        cart = cart_view(family=family)
    by_line = {(c.item.person.first_name, c.item.group_id): c for c in cart.lines}
    assert by_line[("Noah", camp.pk)].price == D("175")
    assert by_line[("Noah", camp.pk)].reduction_label == "Tarif 2e enfant"
    assert by_line[("Noah", daycare.pk)].price == D("40")  # a service: never reduced
    # Léa is first in week 1 (same price, smaller id) and alone in week 2.
    assert cart.total == D("200") + D("200") + D("175") + D("40")
    assert money("615.00") in page

    order = services.checkout(family=family).order
    assert order.total == cart.total  # the amount paid is the amount the family saw
    pay(order)
    assert prices(order) == {
        ("Léa", 1): (D("200"), 1, D("0")),
        ("Léa", 2): (D("200"), 1, D("0")),
        ("Noah", 1): (D("175"), 2, D("25")),
    }
    daycare_line = order.registrations.get(kind="daycare")
    assert (daycare_line.price, daycare_line.family_rank, daycare_line.family_reduction) == (
        D("40"),
        None,
        D("0"),
    )


def test_the_more_expensive_camp_is_the_first_child_whoever_is_older(family, lea, noah, week):
    cheap, dear = camp_of(week, "Camp Arts", "180"), camp_of(week, "Camp Sciences", "240")
    order = paid_order(family=family, items=[(lea, [cheap]), (noah, [dear])])
    assert prices(order) == {
        ("Léa", 1): (D("155"), 2, D("25")),
        ("Noah", 1): (D("240"), 1, D("0")),
    }


def test_three_children_across_weeks(family, lea, noah, zoe, camp, camp2):
    order = paid_order(family=family, items=[(lea, [camp, camp2]), (noah, [camp]), (zoe, [camp])])
    ranks = sorted((p.family_rank, p.price) for p in order.registrations.filter(week=camp.week))
    assert ranks == [(1, D("200")), (2, D("175")), (3, D("150"))]
    assert order.registrations.get(week=camp2.week).price == D("200")
    assert order.total == D("200") + D("175") + D("150") + D("200")


def test_a_later_order_counts_the_weeks_already_paid(family, lea, noah, zoe, camp, camp2):
    paid_order(family=family, items=[(lea, [camp])])
    second = paid_order(family=family, items=[(noah, [camp, camp2])])
    third = paid_order(family=family, items=[(zoe, [camp, camp2])])
    assert prices(second) == {
        ("Noah", 1): (D("175"), 2, D("25")),  # Léa is the 1st that week
        ("Noah", 2): (D("200"), 1, D("0")),
    }
    assert prices(third) == {
        ("Zoé", 1): (D("150"), 3, D("50")),
        ("Zoé", 2): (D("175"), 2, D("25")),
    }


def test_a_non_resident_family_gets_the_non_resident_rates(family, lea, noah, zoe, camp):
    family.is_resident = False
    family.save()
    services.add_to_cart(family=family, person=lea, groups=[camp])
    services.add_to_cart(family=family, person=noah, groups=[camp])
    services.add_to_cart(family=family, person=zoe, groups=[camp])
    shown = cart_view(family=family).total
    order = services.checkout(family=family).order
    assert shown == order.total == D("260") + D("230") + D("200")


def test_a_percentage_season_takes_its_share_of_each_price(season, family, lea, noah, camp):
    season.family_reduction_kind = Season.ReductionKind.PERCENT
    season.second_child_reduction_resident = D("10")
    season.save()
    order = paid_order(family=family, items=[(lea, [camp]), (noah, [camp])])
    assert prices(order)[("Noah", 1)] == (D("180"), 2, D("20"))


def test_a_season_without_reductions_changes_nothing(season, family, lea, noah, camp):
    Season.objects.filter(pk=season.pk).update(
        second_child_reduction_resident=0, third_child_reduction_resident=0
    )
    order = paid_order(family=family, items=[(lea, [camp]), (noah, [camp])])
    assert order.total == D("400")
    assert not order.registrations.exclude(family_reduction=0).exists()


# --- Cancellations: a line is refunded its own price --------------------------------------


def test_cancelling_the_first_child_refunds_its_price_the_second_keeps_its_rate(
    season, family, lea, noah, zoe, camp, provider_refunds, django_capture_on_commit_callbacks
):
    season.refund_admin_fee = D("10")
    season.save()
    order = paid_order(family=family, items=[(lea, [camp]), (noah, [camp])])
    first = order.registrations.get(person=lea)

    with django_capture_on_commit_callbacks(execute=True):
        quote = family_cancellation.cancel_by_family(
            family=family, registration_id=first.pk, by=family.user
        )

    assert (quote.paid, quote.refund) == (D("200"), D("190"))
    assert provider_refunds == [D("190")]
    noah_line = order.registrations.get(person=noah)
    assert (noah_line.price, noah_line.family_rank) == (D("175"), 2)  # nothing charged again
    # The 1st child's rank is free again: a child added that week pays the full price.
    services.add_to_cart(family=family, person=zoe, groups=[camp])
    assert cart_view(family=family).total == D("200")
    later = services.checkout(family=family).order
    assert prices(later) == {("Zoé", 1): (D("200"), 1, D("0"))}


def test_cancelling_the_second_child_refunds_only_what_was_paid_for_it(
    family, lea, noah, camp, provider_refunds, django_capture_on_commit_callbacks
):
    order = paid_order(family=family, items=[(lea, [camp]), (noah, [camp])])
    second = order.registrations.get(person=noah)
    with django_capture_on_commit_callbacks(execute=True):
        quote = family_cancellation.cancel_by_family(
            family=family, registration_id=second.pk, by=family.user
        )
    assert quote.refund == D("175")
    assert provider_refunds == [D("175")]
    assert order.registrations.get(person=lea).price == D("200")


def test_a_staff_refund_of_a_line_refunds_that_lines_own_price(
    staff_user, family, lea, noah, camp, provider_refunds, django_capture_on_commit_callbacks
):
    order = paid_order(family=family, items=[(lea, [camp]), (noah, [camp])])
    first = order.registrations.get(person=lea)
    with django_capture_on_commit_callbacks(execute=True):
        refunds = services.cancel_and_refund(
            order=order, by=staff_user, reason="Déménagement", registration_ids=[first.pk]
        )
    assert [r.amount for r in refunds] == [D("200")]
    assert provider_refunds == [D("200")]
    assert order.registrations.get(person=noah).status == Registration.Status.CONFIRMED


# --- A waiting-list offer paid later ------------------------------------------------------


def test_an_offer_is_priced_as_the_second_child_when_a_sibling_is_confirmed_that_week(
    staff_user, family, lea, noah, week, camp
):
    paid_order(family=family, items=[(noah, [camp])])
    full = camp_of(week, "Camp Nature", capacity=1)
    other = factories.RegistrationFactory(group=full)  # another family's place
    entry = factories.WaitlistEntryFactory(family=family, person=lea, group=full)
    Registration.objects.filter(pk=other.pk).update(status=Registration.Status.CANCELLED)

    offer = offer_place(entry=entry, by=staff_user)

    assert offer.total == D("175")
    assert prices(offer) == {("Léa", 1): (D("175"), 2, D("25"))}
    pay(offer)
    offer.refresh_from_db()
    assert offer.status == Order.Status.PAID
    assert offer.payments.get().amount == D("175")


# --- Receipts and statement show the reduction --------------------------------------------


def test_the_receipt_and_the_statement_show_the_reduction_of_each_line(
    parent_client, family, lea, noah, camp
):
    paid_order(family=family, items=[(lea, [camp]), (noah, [camp])])
    receipt = Receipt.objects.get()
    args = [receipt.year, receipt.sequence]

    page = text(parent_client.get(reverse("registrations:receipt", args=args)))
    assert f"Tarif 2e enfant{NBSP}: −{money('25.00')}" in page
    pdf = pdf_text(parent_client.get(reverse("registrations:receipt_pdf", args=args)))
    words = " ".join(pdf.split())  # the narrow price column wraps its text
    assert "175,00 $ Tarif 2e enfant : −25,00 $" in words.replace(NBSP, " ")

    with translation.override("fr"):
        statement = account_statement(family=family)
    charge = next(row for row in statement.rows if row.kind == "charge")
    assert "Noah — Camp Aventure (Tarif 2e enfant" in charge.label
    assert charge.amount == D("375")
    statement_page = text(parent_client.get(reverse("registrations:statement")))
    assert "Tarif 2e enfant" in statement_page


def test_english_pages_name_the_rate_in_english(parent_client, family, lea, noah, camp):
    services.add_to_cart(family=family, person=lea, groups=[camp])
    services.add_to_cart(family=family, person=noah, groups=[camp])
    with translation.override("en"):  # the request's language does not outlive the test
        page = text(
            parent_client.get(reverse("registrations:cart"), headers={"accept-language": "en"})
        )
    assert "2nd child rate" in page and "−$25.00" in page
