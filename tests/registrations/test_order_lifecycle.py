"""The order lifecycle as parents meet it: the cart never changes under a pending order,
the amount paid is the amount shown, and a paid or released order is never paid again."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from portal.models import OutgoingEmail
from registrations import services
from registrations.models import CartItem, Order, Payment, Registration
from tests import factories
from waitlist.services import serve_waiting_lines

from .helpers import pay, sent_email, text

CART = reverse("registrations:cart")


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


@pytest.fixture
def pending(family, lea, camp, daycare):
    """« Payer » pressed for a camp and its daycare (225 $); the parent is on the provider."""
    services.add_to_cart(family=family, person=lea, groups=[camp, daycare])
    return services.checkout(family=family).order


def test_removing_a_line_while_paying_cancels_the_pending_order_and_the_amount_follows(
    pending, family, daycare
):
    item = CartItem.objects.get(group=daycare)
    change = services.remove_from_cart(family=family, item_id=item.pk)

    pending.refresh_from_db()
    assert change.cancelled_order == pending
    assert pending.status == Order.Status.CANCELLED
    assert not Registration.objects.occupying().filter(order=pending).exists()
    # Paying the cart now asks for what it holds: the camp alone.
    new = services.checkout(family=family).order
    assert new != pending and new.total == Decimal("185.00")


def test_a_payment_arriving_for_the_cancelled_order_is_a_late_one(pending, family, daycare):
    """The provider's checkout was closed at cancellation; if money still arrives (a race),
    the late-payment rules decide, on the lines the family saw and paid."""
    item = CartItem.objects.get(group=daycare)
    services.remove_from_cart(family=family, item_id=item.pk)
    assert pay(pending) == "confirmed"  # the places were still free
    pending.refresh_from_db()
    assert pending.payments.get().amount == pending.total == Decimal("225.00")


def test_adding_a_week_while_paying_cancels_the_pending_order_first(pending, family, lea, week2):
    camp2 = factories.GroupFactory(week=week2)
    change = services.add_to_cart(family=family, person=lea, groups=[camp2])
    pending.refresh_from_db()
    assert change.cancelled_order == pending and pending.status == Order.Status.CANCELLED
    new = services.checkout(family=family).order
    assert new.total == Decimal("410.00")  # 185 + 40 + 185, what the cart now shows
    assert new.registrations.count() == 3


def test_the_cart_shows_the_pending_order_with_pay_and_cancel_and_its_total(parent_client, pending):
    page = text(parent_client.get(CART))
    assert f"Paiement en cours — commande {pending.number}" in page
    assert "Annuler ce paiement" in page
    assert "Ne peut pas être payé" not in page
    assert "225,00\u00a0$" in page


def test_cancel_this_payment_releases_the_places_and_keeps_the_cart(parent_client, pending):
    response = parent_client.post(
        reverse("registrations:cancel_order", args=[pending.public_id]), follow=True
    )
    pending.refresh_from_db()
    assert pending.status == Order.Status.CANCELLED
    assert CartItem.objects.count() == 2
    assert "rien n'a été facturé" in text(response)


def test_the_simulated_page_refuses_to_pay_an_order_not_awaiting_payment(parent_client, pending):
    services.cancel_payment(order=pending)
    url = reverse("registrations:simulated_payment", args=[pending.public_id])
    parent_client.post(url, {"action": "pay"})
    pending.refresh_from_db()
    assert pending.status == Order.Status.CANCELLED
    assert not Payment.objects.exists()


def test_pay_again_on_a_paid_order_changes_nothing(parent_client, pending):
    pay(pending)
    response = parent_client.post(
        reverse("registrations:pay_order", args=[pending.public_id]), follow=True
    )
    pending.refresh_from_db()
    assert pending.status == Order.Status.PAID
    assert "ne peut plus être payée" in text(response)


def test_a_late_payment_does_not_take_a_place_ahead_of_the_waiting_line(
    family, lea, camp, django_capture_on_commit_callbacks
):
    camp.capacity = 1
    camp.save()
    services.add_to_cart(family=family, person=lea, groups=[camp])
    late = services.checkout(family=family, now=timezone.now() - timedelta(hours=1)).order
    waiting = factories.WaitlistEntryFactory(group=camp)  # joined once the hold ran out

    with django_capture_on_commit_callbacks(execute=True):
        assert pay(late) == "refunded"

    late.refresh_from_db()
    assert late.status == Order.Status.REFUNDED
    assert OutgoingEmail.objects.filter(kind="order_late_refund").count() == 1
    serve_waiting_lines()
    assert OutgoingEmail.objects.filter(kind="waitlist_staff_free_places").count() == 1
    waiting.refresh_from_db()
    assert waiting.status == "waiting"


def test_plain_text_emails_are_not_html_escaped(family, lea):
    camp = factories.GroupFactory(activity=factories.ActivityFactory(name="Camp de l'Île"))
    services.add_to_cart(family=family, person=lea, groups=[camp])
    pay(services.checkout(family=family).order)
    email = sent_email("order_confirmation")
    assert "Camp de l'Île" in email.body_text
    assert "&#x27;" not in email.body_text and "&#x27;" not in email.subject
    assert "Camp de l&#x27;Île" in email.body_html  # the HTML part stays escaped
