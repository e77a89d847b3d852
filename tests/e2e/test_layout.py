import pytest

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_page_shows_the_menu_in_french_and_passes_axe(page):
    page.goto("/")
    header = page.get_by_role("banner")
    assert header.get_by_role("link", name="Créer un compte").is_visible()
    assert header.get_by_role("link", name="Panier 0").is_visible()
    header.get_by_text("Loisirs", exact=True).click()
    assert header.get_by_role("link", name="Catalogue").is_visible()
    assert header.get_by_role("link", name="S'inscrire").is_visible()
    assert_accessible(page)
