"""The header is rendered once per language and cart count for every page and family
(``site_header``); each page fills in its own CSRF token and address."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from portal.templatetags import site
from registrations import services
from tests import factories
from tests.renderings import CSRF_INPUT, count_renderings

HEADER = "_site_header.html"
CART = reverse("registrations:cart")
DOSSIER = reverse("accounts:dossier")
LANGUAGE_NEXT = re.compile(r'<input name="next" type="hidden" value="([^"]*)">')
LOGOUT_TOKEN = re.compile(
    r'action="' + re.escape(reverse("account_logout")) + r'" class="inline-form">\s*' + CSRF_INPUT
)


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


@pytest.fixture
def header_renderings(monkeypatch):
    site.forget()  # kept per process: start as a new web process would
    return count_renderings(monkeypatch, HEADER)


def _signed_in(family) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(family.user)
    return client


def test_pages_of_two_families_share_one_rendering_each_with_its_own_address_and_token(
    family, header_renderings
):
    other = factories.FamilyFactory()
    first, second = _signed_in(family), _signed_in(other)
    cart_page = first.get(CART).content.decode()
    dossier_page = second.get(DOSSIER).content.decode()

    assert len(header_renderings) == 1
    assert "Mon dossier" in dossier_page and "Déconnexion" in dossier_page
    assert LANGUAGE_NEXT.search(cart_page).group(1) == CART
    assert LANGUAGE_NEXT.search(dossier_page).group(1) == DOSSIER
    assert "\x00" not in cart_page + dossier_page
    # The token in the kept header is the page's own: logging out passes the CSRF check.
    token = LOGOUT_TOKEN.search(dossier_page).group(1)
    assert second.post(reverse("account_logout"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert second.get(DOSSIER).status_code == 302  # signed out: sent to log in


def test_the_cart_count_and_the_visitor_are_facts_of_the_header(family, header_renderings):
    camp = factories.GroupFactory()
    client = _signed_in(family)
    assert 'aria-hidden="true">0</span>' in client.get(CART).content.decode()
    services.add_to_cart(family=family, person=family.persons.first(), groups=[camp])
    page = client.get(CART).content.decode()
    assert 'aria-hidden="true">1</span>' in page and "1 article" in page
    visitor = Client().get(reverse("activities:catalogue")).content.decode()
    assert "Connexion" in visitor and "Déconnexion" not in visitor
    assert len(header_renderings) == 3
