"""A parent pays, downloads the receipt from « Mon dossier », cancels the week under the
season's refund policy and sees the refund on the account statement."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from registrations.models import Payment
from tests import factories

from .conftest import assert_accessible, login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def camp_week():
    season = factories.SeasonFactory(refund_until_days=7, refund_admin_fee=Decimal("15.00"))
    week = factories.WeekFactory(season=season, number=1)
    return factories.GroupFactory(
        week=week, activity=factories.ActivityFactory(name="Camp Aventure")
    )


def test_parent_pays_downloads_the_receipt_cancels_and_sees_the_refund(page, camp_week):
    family = factories.FamilyFactory()
    factories.PersonFactory(family=family, first_name="Léa", birth_date=date(2019, 3, 15))
    login(page, family.user.email, factories.PASSWORD)

    # Pay the week (simulated provider).
    page.goto("/inscription/")
    page.get_by_label("Camp Aventure").check()
    page.get_by_role("button", name="Confirmer l'inscription à ce groupe").click()
    expect(page.locator("#cart-badge .cart-badge__count")).to_have_text("1")
    page.locator("#cart-badge").click()
    page.get_by_role("button", name="Payer").click()
    expect(page.get_by_role("heading", name="Paiement simulé")).to_be_visible()
    page.get_by_role("button", name="Payer").click()
    expect(page.get_by_text("votre inscription est confirmée")).to_be_visible()

    # The receipt, as a PDF, from « Mon dossier ».
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Mon dossier"
    ).click()
    receipts = page.get_by_role("table", name="Reçus")
    expect(receipts).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download_info:
        receipts.get_by_role("link", name="Télécharger").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # Cancel the week: 185,00 $ paid, 15,00 $ kept, 170,00 $ back.
    page.get_by_role("link", name="Annuler Léa").click()
    expect(page.locator("#refund-amount")).to_have_text("170,00\xa0$")
    assert_accessible(page)
    page.get_by_role("button", name="Oui, annuler cette inscription").click()
    expect(page.get_by_text("170,00\xa0$").first).to_be_visible()
    refund = Payment.objects.get(kind=Payment.Kind.REFUND)
    assert refund.amount == Decimal("170.00")

    # The statement shows the refund and a balance of zero.
    page.get_by_role("link", name="État de compte").click()
    expect(page.get_by_role("heading", name="État de compte", level=1)).to_be_visible()
    refund_row = page.locator("tr.statement__refund")
    expect(refund_row).to_contain_text("Remboursement")
    expect(refund_row).to_contain_text("170,00\xa0$")
    expect(page.locator("#statement-balance")).to_have_text("0,00\xa0$")
    assert_accessible(page)
