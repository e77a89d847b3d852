"""A parent reads the privacy page, exports the family's data, then closes the account."""

import pytest

from accounts.models import User
from privacy.models import AccountClosure
from tests.e2e.conftest import after_htmx_settles, assert_accessible, login
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_parent_reads_the_policy_exports_then_closes_the_account(page, family):
    email = family.user.email
    login(page, email, PASSWORD)
    page.get_by_role("heading", name="Mon dossier").wait_for()

    page.get_by_role("contentinfo").get_by_role("link", name="Politique de confidentialité").click()
    page.get_by_role("heading", name="Politique de confidentialité").wait_for()
    assert page.get_by_role("heading", name="Combien de temps nous les gardons").is_visible()
    assert_accessible(page)

    page.get_by_role("main").get_by_role("link", name="Mes renseignements personnels").click()
    page.get_by_role("heading", name="Obtenir une copie de mes données").wait_for()
    assert_accessible(page)
    after_htmx_settles(page, page.get_by_role("button", name="Préparer mon exportation").click)
    json_link = page.get_by_role("link", name="Télécharger le fichier JSON")
    json_link.wait_for()  # htmx swapped the list in (and polls until the export is ready)
    with page.expect_download() as download:
        json_link.click()
    assert download.value.suggested_filename.endswith(".json")

    page.get_by_role("main").get_by_role("link", name="Fermer mon compte").click()
    page.get_by_role("heading", name="Fermer mon compte").wait_for()
    assert_accessible(page)
    page.get_by_label("Votre mot de passe").fill(PASSWORD)
    page.get_by_label("Je comprends que la fermeture de mon compte est définitive").check()
    page.get_by_role("button", name="Fermer mon compte définitivement").click()
    page.get_by_role("heading", name="Compte fermé").wait_for()

    assert AccountClosure.objects.count() == 1
    assert not User.objects.filter(email=email).exists()
