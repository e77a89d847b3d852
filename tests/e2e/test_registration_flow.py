"""A parent registers two children, pays with the simulated provider and is confirmed."""

from datetime import date

import pytest
from playwright.sync_api import expect

from activities.models import Activity
from portal.models import OutgoingEmail
from registrations.models import Order
from tests import factories

from .conftest import after_htmx_settles, assert_accessible, login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def catalogue():
    week = factories.WeekFactory(number=1)
    camp = factories.GroupFactory(
        week=week, activity=factories.ActivityFactory(name="Camp Aventure")
    )
    daycare = factories.GroupFactory(
        week=week,
        activity=factories.ActivityFactory(kind=Activity.Kind.DAYCARE, name="Service de garde"),
        price_resident=40,
    )
    transport = factories.GroupFactory(
        week=week,
        activity=factories.ActivityFactory(kind=Activity.Kind.TRANSPORT, name="Transport à vélo"),
        price_resident=25,
    )
    return camp, daycare, transport


def test_parent_registers_two_children_pays_and_is_confirmed(page, catalogue):
    family = factories.FamilyFactory()
    factories.PersonFactory(family=family, first_name="Léa", birth_date=date(2019, 3, 15))
    factories.PersonFactory(family=family, first_name="Noah", birth_date=date(2016, 5, 2))
    login(page, family.user.email, factories.PASSWORD)

    page.goto("/inscription/")
    expect(page.get_by_role("heading", name="S'inscrire", level=1)).to_be_visible()
    assert_accessible(page)
    picker = page.get_by_label("Personne à inscrire")
    expect(picker).to_have_value(str(family.persons.get(first_name="Léa").pk))
    page.get_by_label("Camp Aventure").check()
    page.get_by_label("Service de garde").check()
    page.get_by_label("Transport à vélo").check()
    confirm = page.get_by_role("button", name="Confirmer l'inscription à ce groupe")
    after_htmx_settles(page, confirm.click)
    expect(page.get_by_text("Ajouté à votre panier")).to_be_visible()
    expect(page.locator("#cart-badge .cart-badge__count")).to_have_text("3")

    after_htmx_settles(
        page, lambda: picker.select_option(label=str(family.persons.get(first_name="Noah")))
    )
    expect(page.locator('input[name="person"]')).to_have_value(
        str(family.persons.get(first_name="Noah").pk)
    )
    page.get_by_label("Camp Aventure").check()
    after_htmx_settles(page, confirm.click)
    expect(page.locator("#cart-badge .cart-badge__count")).to_have_text("4")

    page.locator("#cart-badge").click()
    expect(page.get_by_text("Vos activités ne sont pas réservées")).to_be_visible()
    expect(page.get_by_text("435,00")).to_be_visible()  # 185 + 40 + 25, and 185
    assert_accessible(page)
    page.get_by_role("button", name="Payer").click()

    expect(page.get_by_role("heading", name="Paiement simulé")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Payer").click()

    expect(page.get_by_text("votre inscription est confirmée")).to_be_visible()
    expect(page.get_by_text("courriels indésirables")).to_be_visible()
    assert_accessible(page)
    order = Order.objects.get(family=family)
    assert order.status == Order.Status.PAID
    assert order.registrations.filter(status="confirmed").count() == 4
    email = OutgoingEmail.objects.get(kind="order_confirmation")
    assert email.to == family.user.email
    assert "Léa" in email.body_text and "Noah" in email.body_text
    assert "Transport à vélo" in email.body_text
