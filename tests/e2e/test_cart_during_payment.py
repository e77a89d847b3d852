"""A parent goes back to the cart while paying, removes a line, and pays what was shown."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from registrations.models import Order
from tests import factories

from .conftest import after_htmx_settles, assert_accessible, login
from .test_registration_flow import catalogue  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_removing_a_line_mid_payment_cancels_it_and_the_new_order_is_what_was_shown(
    page,
    catalogue,  # noqa: F811
):
    family = factories.FamilyFactory()
    factories.PersonFactory(family=family, first_name="Léa")
    login(page, family.user.email, factories.PASSWORD)
    page.goto("/inscription/")
    page.get_by_label("Camp Aventure").check()
    page.get_by_label("Service de garde").check()
    after_htmx_settles(
        page, page.get_by_role("button", name="Confirmer l'inscription à ce groupe").click
    )
    expect(page.locator("#cart-badge .cart-badge__count")).to_have_text("2")

    page.locator("#cart-badge").click()
    page.get_by_role("button", name="Payer").click()
    expect(page.get_by_role("heading", name="Paiement simulé")).to_be_visible()
    first_payment_page = page.url

    # Back to the cart mid-payment: the payment in progress is shown, with a way out.
    page.goto("/inscription/panier/")
    expect(page.get_by_role("heading", name="Paiement en cours")).to_be_visible()
    expect(page.get_by_role("button", name="Annuler ce paiement")).to_be_visible()
    expect(page.locator(".cart-total")).to_contain_text("225,00")
    assert_accessible(page)
    after_htmx_settles(page, page.get_by_role("button", name="Retirer Service de garde").click)
    # Wait for what the swap brings: the notice, then the new total.
    expect(page.get_by_text("le paiement en attente a donc été annulé")).to_be_visible()
    expect(page.locator(".cart-total")).to_contain_text("185,00")
    expect(page.get_by_role("heading", name="Paiement en cours")).to_have_count(0)

    # The old payment page can no longer take the old amount.
    page.goto(first_payment_page)
    expect(page.get_by_role("button", name="Payer")).to_have_count(0)

    page.goto("/inscription/panier/")
    page.get_by_role("button", name="Payer").click()
    expect(page.get_by_role("heading", name="Paiement simulé")).to_be_visible()
    expect(page.locator("main")).to_contain_text("185,00")
    page.get_by_role("button", name="Payer").click()
    expect(page.get_by_text("votre inscription est confirmée")).to_be_visible()

    paid = Order.objects.get(family=family, status=Order.Status.PAID)
    assert paid.total == Decimal("185.00")
    assert paid.payments.get().amount == Decimal("185.00")
    assert Order.objects.get(family=family, status=Order.Status.CANCELLED).total == Decimal("225")
