"""Bad input anywhere a parent can type or tamper gets an answer, never a server error."""

import uuid

import pytest
from django.urls import reverse

from registrations import services
from tests import factories

JUNK = ["abc", "-1", "99999999999999999999", "", "1.5", "<script>", "0"]


@pytest.fixture
def camp(db):
    return factories.GroupFactory()


@pytest.fixture
def order(family, camp):
    lea = family.persons.get(first_name="Léa")
    services.add_to_cart(family=family, person=lea, groups=[camp])
    return services.checkout(family=family).order


def answers(response) -> int:
    assert response.status_code < 500, response.status_code
    return response.status_code


@pytest.mark.parametrize("junk", JUNK)
def test_public_catalogue_filters(client, db, junk):
    url = reverse("activities:catalogue")
    answers(client.get(url, {"week": junk, "age": junk, "kind": junk}))
    answers(client.get(url, {"week": junk}, headers={"HX-Request": "true"}))


@pytest.mark.parametrize("junk", JUNK)
def test_registration_side_forms(parent_client, family, camp, order, junk):
    person = family.persons.first().pk
    answers(parent_client.get(reverse("registrations:register"), {"person": junk, "week": junk}))
    answers(parent_client.post(reverse("registrations:register"), {"person": junk}))
    answers(
        parent_client.post(reverse("registrations:register"), {"person": person, "groups": junk})
    )
    answers(parent_client.post(reverse("waitlist:join"), {"person": junk, "group": junk}))
    answers(
        parent_client.post(
            reverse("waitlist:join"), {"person": person, "group": camp.pk, "addons": junk}
        )
    )
    answers(
        parent_client.post(
            reverse("registrations:simulated_payment", args=[order.public_id]), {"action": junk}
        )
    )


def test_ids_that_do_not_exist_or_belong_to_others(parent_client, order):
    other = factories.OrderFactory()
    assert answers(parent_client.get(reverse("registrations:order_detail", args=[uuid.uuid4()])))
    assert (
        answers(parent_client.get(reverse("registrations:order_detail", args=[other.public_id])))
        == 404
    )
    assert answers(parent_client.post(reverse("registrations:cart_remove", args=[987654]))) < 500
    assert answers(parent_client.post(reverse("waitlist:leave", args=[987654]))) == 404
    assert answers(parent_client.post(reverse("registrations:pay_order", args=[uuid.uuid4()])))


def test_checkout_of_an_empty_cart_says_so(parent_client, family):
    response = parent_client.post(reverse("registrations:checkout"), follow=True)
    assert answers(response) == 200


@pytest.mark.parametrize("junk", JUNK)
def test_family_file_forms(parent_client, family, junk):
    person = family.persons.first()
    answers(
        parent_client.post(
            reverse("accounts:add_person"),
            {"first_name": junk, "last_name": junk, "birth_date": junk, "relationship": junk},
        )
    )
    answers(
        parent_client.post(
            reverse("accounts:edit_person", args=[person.pk]),
            {"first_name": "Léa", "last_name": "T", "birth_date": junk},
        )
    )
    answers(parent_client.post(reverse("accounts:edit_family"), {"postal_code": junk}))


def test_webhook_with_junk_bodies(client, db, settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"
    url = reverse("registrations:stripe_webhook")
    for body in [b"", b"not json", b"{}", b"[]"]:
        response = client.post(
            url, body, content_type="application/json", HTTP_STRIPE_SIGNATURE="t=1,v1=abc"
        )
        assert answers(response) == 400
