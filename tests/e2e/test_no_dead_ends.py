"""No dead ends and no one-click loss, in a real browser: an offer's deadline says its date,
a declined payment is a warning that leads back to the cart, and the confirmation pages for
leaving a list or declining an offer work with the keyboard alone."""

import re

import pytest
from playwright.sync_api import expect

from portal.words import format_date, iso
from registrations import services
from registrations.models import CartItem, Order
from tests import factories
from waitlist.models import WaitlistEntry
from waitlist.services import offer_place

from .conftest import assert_accessible, login
from .test_registration_flow import catalogue  # noqa: F401 (fixture)
from .test_waitlist_flow import tab_to

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def offer():
    """A place offered to Léa's family: 48 h to pay (the season's window)."""
    group = factories.GroupFactory(capacity=1, activity__name="Camp Plein Air")
    entry = factories.WaitlistEntryFactory(group=group, person__first_name="Léa")
    offer_place(entry=entry)
    entry.refresh_from_db()
    return entry


def test_an_offers_deadline_shows_its_date_in_my_file_and_on_the_order_page(page, offer):
    day = format_date(offer.offer_expires_at, "fr")  # « mercredi 2 décembre 2026 »
    login(page, offer.family.user.email, factories.PASSWORD)
    page.goto("/dossier/")

    card = page.locator(f"#waitlist-entry-{offer.pk}")
    expect(card).to_contain_text("Place offerte")
    deadline = card.locator("time")
    expect(deadline).to_have_attribute("datetime", iso(offer.offer_expires_at))
    expect(deadline).to_contain_text(day)
    assert_accessible(page)

    card.get_by_role("link", name="Payer pour confirmer la place").click()
    status = page.locator("#order-status")
    expect(status).to_contain_text("Vos places sont retenues jusqu'à")
    expect(status).to_contain_text(day)
    expect(page.get_by_role("button", name="Payer")).to_be_visible()
    assert_accessible(page)


def test_a_declined_payment_is_a_warning_that_leads_back_to_the_cart(
    page,
    catalogue,  # noqa: F811
):
    camp, _daycare, _transport = catalogue
    family = factories.FamilyFactory()
    child = factories.PersonFactory(family=family, first_name="Léa")
    services.add_to_cart(family=family, person=child, groups=[camp])
    login(page, family.user.email, factories.PASSWORD)
    page.goto("/inscription/panier/")
    page.get_by_role("button", name="Payer").click()
    expect(page.get_by_role("heading", name="Paiement simulé")).to_be_visible()
    page.get_by_role("button", name="Refuser").click()

    # A warning, not the green success banner; the order says so and leads back.
    expect(page.locator(".message--warning")).to_contain_text("Paiement refusé")
    expect(page.locator(".message--success, .message--info")).to_have_count(0)
    expect(page.locator("#order-status .notice--warning")).to_contain_text("refusé")
    assert Order.objects.get(family=family).status == Order.Status.DECLINED
    assert_accessible(page)
    page.get_by_role("link", name="Retour au panier").click()

    expect(page).to_have_url(re.compile(r"/inscription/panier/$"))
    expect(page.locator("main")).to_contain_text("Camp Aventure")
    expect(page.get_by_role("button", name="Payer")).to_be_visible()
    assert CartItem.objects.filter(cart__family=family).count() == 1


def test_declining_an_offer_is_confirmed_with_the_keyboard_alone(page, offer):
    login(page, offer.family.user.email, factories.PASSWORD)
    page.goto("/dossier/")
    card = page.locator(f"#waitlist-entry-{offer.pk}")
    tab_to(page, card.get_by_role("link", name="Refuser l'offre"))
    page.keyboard.press("Enter")

    confirm = page.get_by_role("button", name="Oui, refuser l'offre")
    expect(confirm).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Refuser l'offre")
    assert_accessible(page)
    offer.refresh_from_db()
    assert offer.status == WaitlistEntry.Status.OFFERED  # nothing happened on the way
    tab_to(page, confirm)
    page.keyboard.press("Enter")

    expect(page.get_by_text("Vous avez refusé l'offre")).to_be_visible()
    offer.refresh_from_db()
    assert offer.status == WaitlistEntry.Status.CANCELLED
    assert offer.offer_order.status == Order.Status.CANCELLED


def test_going_back_from_leaving_a_list_keeps_the_place_in_line(page):
    group = factories.GroupFactory(capacity=0)
    entry = factories.WaitlistEntryFactory(group=group)
    login(page, entry.family.user.email, factories.PASSWORD)
    page.goto("/dossier/")
    tab_to(page, page.locator(f"#waitlist-entry-{entry.pk}").get_by_role("link"))
    page.keyboard.press("Enter")

    back = page.get_by_role("link", name="Non, revenir")
    expect(back).to_be_visible()
    tab_to(page, back)
    page.keyboard.press("Enter")

    expect(page.locator(f"#waitlist-entry-{entry.pk}")).to_contain_text("1er sur 1")
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WAITING
