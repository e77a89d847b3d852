from urllib.parse import urlsplit

import pytest

from tests import factories
from waitlist.models import WaitlistEntry
from waitlist.services import serve_waiting_lines

from .conftest import after_htmx_settles, assert_accessible, login, swapped_by_htmx

pytestmark = pytest.mark.django_db(transaction=True)


def tab_to(page, locator, limit: int = 80) -> None:
    """Press Tab until ``locator`` has the focus: the keyboard, not the mouse."""
    handle = locator.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => document.activeElement === el", handle):
            return
    raise AssertionError("never reached with Tab")


def test_parent_sees_the_live_position_and_leaves_the_waiting_list(page):
    group = factories.GroupFactory(capacity=0)
    factories.WaitlistEntryFactory(group=group)
    entry = factories.WaitlistEntryFactory(group=group)

    login(page, entry.family.user.email, factories.PASSWORD)
    page.goto("/liste-attente/")

    card = page.locator(f"#waitlist-entry-{entry.pk}")
    assert "2e sur 2" in card.inner_text()
    assert_accessible(page)
    tab_to(page, card.get_by_role("link", name="Quitter la liste"))
    page.keyboard.press("Enter")

    # Leaving cannot be undone: a confirmation page first, reached and answered by keyboard.
    confirm = page.get_by_role("button", name="Oui, quitter la liste")
    confirm.wait_for()
    assert entry.status == WaitlistEntry.Status.WAITING
    assert_accessible(page)
    tab_to(page, confirm)
    page.keyboard.press("Enter")

    page.get_by_text("Vous avez quitté la liste d'attente.").wait_for()
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.CANCELLED


def test_parent_joins_staff_promotes_in_admin_and_parent_pays_through_the_emailed_link(page):
    """Full flow of issue 5 across the registration engineer's pages."""
    from portal.models import OutgoingEmail
    from registrations.models import Registration

    group = factories.GroupFactory(capacity=1, activity__name="Camp Plein Air")
    taken = factories.RegistrationFactory(group=group)
    family = factories.FamilyFactory()
    child = factories.PersonFactory(family=family, first_name="Léa")
    staff = factories.StaffFactory()

    # 1. The parent joins the waiting list of the full week from « S'inscrire ».
    login(page, family.user.email, factories.PASSWORD)
    page.goto("/inscription/")
    picker = page.get_by_label("Personne à inscrire")
    # Wait for the child's options that the swap brings before pressing their button.
    swapped_by_htmx(page, lambda: picker.select_option(str(child.pk)), "#register-options")
    after_htmx_settles(
        page, page.get_by_role("button", name="Confirmer l'inscription en attente").click
    )
    page.get_by_text("1er sur 1").wait_for()
    assert_accessible(page)
    entry = WaitlistEntry.objects.get(person=child, group=group)
    page.get_by_role("button", name="Déconnexion").click()

    # 2. A place frees up; staff promote the family from the admin.
    taken.status = Registration.Status.CANCELLED
    taken.save()
    login(page, staff.email, factories.PASSWORD)
    page.goto("/admin/waitlist/waitlistentry/")
    page.locator(f"input[name='_selected_action'][value='{entry.pk}']").check()
    page.locator("select[name=action]").select_option("offer_place_action")
    page.get_by_role("button", name="Envoyer").click()
    page.locator("li.success").wait_for()
    assert "place offerte" in page.locator("li.success").inner_text().lower()
    page.get_by_role("button", name="Déconnexion").click()

    # 3. The parent pays through the link in the offer email.
    email = OutgoingEmail.objects.get(kind="waitlist_offer", to=family.user.email)
    link = next(word for word in email.body_text.split() if "/inscription/commande/" in word)
    login(page, family.user.email, factories.PASSWORD)
    page.goto(urlsplit(link).path)
    page.get_by_role("button", name="Payer").click()  # the order page
    page.get_by_role("heading", name="Paiement simulé").wait_for()
    page.get_by_role("button", name="Payer").click()  # the simulated provider
    page.get_by_text("confirmée").first.wait_for()
    serve_waiting_lines()  # what the beat runs every 30 s
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.ACCEPTED
