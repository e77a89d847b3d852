"""Opening night: families prepare their cart before the opening; nothing is reserved, and
checkout waits for the opening, then applies the rules of that moment."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from portal.errors import DomainError
from registrations import services
from registrations.models import CartItem, Order, Registration

from .helpers import text


@pytest.fixture
def before_opening(season):
    season.opens_at = timezone.now() + timedelta(hours=2)
    season.opens_at_nonresident = timezone.now() + timedelta(days=7)
    season.save()
    return season


def test_a_cart_is_prepared_before_the_opening_and_reserves_nothing(
    before_opening, family, lea, camp, daycare
):
    change = services.add_to_cart(family=family, person=lea, groups=[camp, daycare])
    assert change.added and not change.refused
    assert CartItem.objects.filter(cart__family=family).count() == 2
    assert not Registration.objects.exists()


def test_checkout_before_the_opening_is_refused_with_its_date(before_opening, family, lea, camp):
    services.add_to_cart(family=family, person=lea, groups=[camp])
    with translation.override("fr"), pytest.raises(DomainError) as refused:
        services.checkout(family=family)
    assert refused.value.code == "not_open"
    assert "rien n'est encore réservé" in str(refused.value)
    assert not Order.objects.exists()


def test_at_the_opening_the_prepared_cart_checks_out_with_that_moments_rules(
    before_opening, family, lea, camp, daycare
):
    services.add_to_cart(family=family, person=lea, groups=[camp, daycare])
    camp.capacity = 0  # filled by others at the opening
    camp.save()
    opening = before_opening.opens_at + timedelta(seconds=1)
    result = services.checkout(family=family, now=opening)
    assert result.order is None
    assert {refusal.code for _item, refusal in result.refused} == {
        "full",
        "service_without_camp",
    }


def test_the_register_page_says_prepare_your_cart(before_opening, parent_client, lea, camp):
    with translation.override("fr"):
        page = text(parent_client.get(reverse("registrations:register")))
    assert "préparez votre panier, rien n'est réservé" in page


def test_a_season_without_prepared_carts_refuses_before_the_opening(
    before_opening, family, lea, camp
):
    before_opening.prepared_carts = False
    before_opening.save()
    change = services.add_to_cart(family=family, person=lea, groups=[camp])
    assert [refusal.code for _group, refusal in change.refused] == ["not_open"]
