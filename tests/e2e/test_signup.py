"""The sign-up flow in a real browser: sign up, verify, wait, get approved, get ready."""

import re

import pytest
from django.core import mail

from accounts.models import Family
from portal.models import OutgoingEmail
from tests import factories

from .conftest import assert_accessible, login

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "julie.gagnon@example.org"
PASSWORD = factories.PASSWORD


def exactly(label: str) -> re.Pattern:
    """A label with nothing else but Django's French suffix (« Nom : »)."""
    return re.compile(rf"^{re.escape(label)}\s*:?$")


def _sign_up(page) -> None:
    page.goto("/compte/signup/")
    assert page.get_by_role("heading", name="Créer un compte").is_visible()
    assert_accessible(page)
    form = page.locator("main form")
    form.get_by_label("Courriel").fill(EMAIL)
    form.get_by_label(exactly("Mot de passe")).fill(PASSWORD)
    form.get_by_label("Mot de passe (confirmation)").fill(PASSWORD)
    form.get_by_label(exactly("Prénom du parent")).fill("Julie")
    form.get_by_label(exactly("Nom du parent")).fill("Gagnon")
    form.get_by_label(exactly("Adresse")).fill("45 rue Principale")
    form.get_by_label("Ville").fill("Saint-Exemple")
    form.get_by_label("Code postal").fill("J1H 2K3")
    form.get_by_label("Téléphone").fill("819 555-0199")
    form.get_by_label("Langue de correspondance").select_option("fr")
    form.get_by_label(re.compile("J'ai lu la politique de confidentialité")).check()
    form.get_by_role("button", name="Créer mon compte").click()
    page.get_by_role("heading", name="Confirmez votre adresse courriel").wait_for()


def _verification_link() -> str:
    # The key is sent from memory and never stored in the outbox: read the email that left.
    assert OutgoingEmail.objects.get(to=EMAIL, kind="email_confirmation_signup").key_redacted
    body = next(message.body for message in mail.outbox if message.to == [EMAIL])
    return re.search(r"https?://\S*confirm\S*", body).group(0)


def _approve_in_admin(page) -> None:
    staff = factories.StaffFactory()
    login(page, staff.email, PASSWORD)
    page.goto("/admin/accounts/family/?status__exact=pending")
    page.get_by_role("checkbox", name=re.compile("Gagnon, Julie")).check()
    page.locator("select[name=action]").select_option("approve")
    page.locator("button[name=index]").click()
    page.get_by_text("1 famille approuvée").wait_for()
    page.goto("/")
    page.get_by_role("banner").get_by_role("button", name="Déconnexion").click()


def test_sign_up_verify_get_approved_and_complete_the_checklist(page):
    _sign_up(page)

    page.goto(_verification_link())
    page.get_by_role("button", name="Confirmer mon adresse").click()
    page.get_by_role("heading", name="L'administration doit approuver votre compte").wait_for()
    assert Family.objects.get(user__email=EMAIL).status == Family.Status.PENDING

    _approve_in_admin(page)

    login(page, EMAIL, PASSWORD)
    page.get_by_role("heading", name="Mon dossier", exact=True).wait_for()
    checklist = page.locator(".checklist")
    assert checklist.locator("li.done").count() == 2  # email confirmed, account approved
    assert_accessible(page)

    page.get_by_role("link", name="Ajouter une personne").click()
    assert_accessible(page)
    page.get_by_label(exactly("Prénom")).fill("Zoé")
    page.get_by_label(exactly("Nom")).fill("Gagnon")
    page.get_by_label("Date de naissance").fill("2018-07-01")
    page.get_by_label("Allergies").fill("Arachides")
    page.get_by_role("button", name="Enregistrer").click()

    page.get_by_text("Votre dossier est complet").wait_for()
    assert checklist.locator("li.done").count() == 3
    assert page.get_by_role("heading", name="Zoé Gagnon").is_visible()
