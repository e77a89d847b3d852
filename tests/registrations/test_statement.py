"""« État de compte »: every charge, payment, refund and the balance of a season."""

from decimal import Decimal

from django.urls import reverse

from registrations.services import family_cancellation
from registrations.statement import account_statement
from tests import factories

from .helpers import paid_order, text


def test_a_paid_order_then_a_cancelled_week_balances_to_zero_with_the_fee_kept(
    season, family, lea, noah, camp, daycare
):
    season.refund_admin_fee = Decimal("15")
    season.save()
    order = paid_order(family=family, items=[(lea, [camp, daycare]), (noah, [camp])])
    family_cancellation.cancel_by_family(
        family=family,
        registration_id=order.registrations.get(person=lea, kind="camp").pk,
        by=family.user,
    )
    statement = account_statement(family=family)
    assert [r.kind for r in statement.rows] == [
        "charge",
        "payment",
        "cancellation",
        "refund",
        "cancellation",
        "refund",
    ]
    assert statement.charged == Decimal("410.00")
    assert statement.paid == Decimal("410.00")
    assert statement.refunded == Decimal("210.00")
    assert statement.balance == Decimal("0")


def test_the_statement_page_is_the_familys_own_in_french_and_english(
    client, parent_client, family, lea, camp
):
    paid_order(family=family, items=[(lea, [camp])])
    url = reverse("registrations:statement")
    page = text(parent_client.get(url))
    assert "État de compte" in page and "185,00\xa0$" in page
    english = text(parent_client.get(url, headers={"accept-language": "en"}))
    assert "Account statement" in english and "$185.00" in english
    other = factories.FamilyFactory()
    client.force_login(other.user)
    assert "185,00\xa0$" not in text(client.get(url))


def test_a_season_of_another_family_is_a_404(client, family, lea, camp):
    paid_order(family=family, items=[(lea, [camp])])
    client.force_login(factories.FamilyFactory().user)
    url = reverse("registrations:statement") + f"?season={camp.week.season_id}"
    assert client.get(url).status_code == 404
