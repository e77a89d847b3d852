"""A cart line is rendered once for every family that has the same camp at the same price in
the same state; what is the family's own fills a hole (``cart_line``)."""

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from registrations import services
from registrations.models import CartItem
from registrations.templatetags import registrations_tags
from tests import factories
from tests.renderings import CSRF_INPUT, count_renderings

from .helpers import text

CART = reverse("registrations:cart")
LINE_TEMPLATE = "registrations/_cart_line.html"
REMOVE_ACTION = r'<form method="post" action="([^"]+/retirer/[^"]+)"[^>]*>\s*'
REMOVE_FORM = re.compile(REMOVE_ACTION + CSRF_INPUT)


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


@pytest.fixture
def line_renderings(monkeypatch):
    """How many times the line's template itself is rendered (a kept line is not)."""
    registrations_tags.forget_cart_lines()  # kept per process: start as a new web process
    return count_renderings(monkeypatch, LINE_TEMPLATE)


def _family_with(camp, child_name: str):
    family = factories.FamilyFactory()
    child = factories.PersonFactory(
        family=family, first_name=child_name, birth_date=date(2019, 3, 15)
    )
    services.add_to_cart(family=family, person=child, groups=[camp])
    client = Client(enforce_csrf_checks=True)
    client.force_login(family.user)
    return family, client


def test_a_second_family_gets_the_kept_line_with_its_own_item_child_and_token(
    camp, line_renderings
):
    first, first_client = _family_with(camp, "Zoé")
    second, second_client = _family_with(camp, "Arthur")
    first_page = text(first_client.get(CART))
    renderings_for_the_first = len(line_renderings)
    second_page = text(second_client.get(CART))

    assert renderings_for_the_first == 1
    assert len(line_renderings) == 1  # the second family's line was not rendered again
    assert "Camp Aventure" in second_page and "Retirer" in second_page
    assert "Arthur" in second_page and "Zoé" not in second_page
    assert "Zoé" in first_page and "Arthur" not in first_page
    assert "\x00" not in second_page
    item = CartItem.objects.get(cart__family=second)
    action, token = REMOVE_FORM.search(second_page).groups()
    assert action == reverse("registrations:cart_remove", args=[item.pk])
    # The token in the kept line is this page's own: the removal passes the CSRF check.
    response = second_client.post(action, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert not CartItem.objects.filter(cart__family=second).exists()
    assert CartItem.objects.filter(cart__family=first).exists()


def test_a_line_that_changes_state_is_rendered_anew(parent_client, family, lea, camp):
    services.add_to_cart(family=family, person=lea, groups=[camp])
    assert "Complet" not in text(parent_client.get(CART))
    camp.capacity = 0
    camp.save()
    page = text(parent_client.get(CART))
    assert "Complet" in page and "Ce groupe est complet" in page
    # The full line offers the waiting list, which sends the parent back to the cart.
    assert f'name="next" value="{CART}"' in page
    assert f'name="person" value="{lea.pk}"' in page
