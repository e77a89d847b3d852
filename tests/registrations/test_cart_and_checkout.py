from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from portal.models import OutgoingEmail
from registrations import selectors, services
from registrations.models import CartItem, Order, Registration
from registrations.payments import ProviderError
from tests import factories

from .helpers import pay, sent_email, text

CART = reverse("registrations:cart")
CHECKOUT = reverse("registrations:checkout")


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


def test_cart_groups_items_by_child_with_the_familys_price_and_total(
    parent_client, family, lea, noah, camp, daycare
):
    family.is_resident = False
    family.save()
    services.add_to_cart(family=family, person=lea, groups=[camp, daycare])
    services.add_to_cart(family=family, person=noah, groups=[camp])
    page = text(parent_client.get(CART))
    assert "Vos activités ne sont pas réservées tant que vous n'avez pas payé votre panier." in page
    assert page.index("Léa") < page.index("Noah")
    assert "260,00\u00a0$" in page and "60,00\u00a0$" in page
    assert "580,00\u00a0$" in page  # 260 + 60 + 260


def test_cart_flags_an_item_that_became_full(parent_client, family, lea, camp):
    services.add_to_cart(family=family, person=lea, groups=[camp])
    camp.capacity = 0
    camp.save()
    page = text(parent_client.get(CART))
    assert "Complet" in page and "Ce groupe est complet" in page


def test_cart_flags_a_service_whose_camp_was_removed(parent_client, family, lea, camp, daycare):
    services.add_to_cart(family=family, person=lea, groups=[camp, daycare])
    item = CartItem.objects.get(group=camp)
    response = parent_client.post(
        reverse("registrations:cart_remove", args=[item.pk]), headers={"HX-Request": "true"}
    )
    assert response.headers["HX-Trigger"] == "cartChanged"
    assert "demande un camp la même semaine" in text(response)


def test_removing_another_familys_item_does_nothing(parent_client, camp):
    other = factories.FamilyFactory()
    child = factories.PersonFactory(family=other)
    services.add_to_cart(family=other, person=child, groups=[camp])
    item = CartItem.objects.get()
    parent_client.post(reverse("registrations:cart_remove", args=[item.pk]))
    assert CartItem.objects.filter(pk=item.pk).exists()


def test_badge_endpoint_shows_the_count(parent_client, family, lea, camp):
    services.add_to_cart(family=family, person=lea, groups=[camp])
    html = text(parent_client.get(reverse("registrations:cart_badge")))
    assert 'class="cart-badge__count"' in html and ">1</span>" in html


def test_the_cart_count_is_each_familys_own_in_one_query(
    family, lea, camp, daycare, django_assert_num_queries
):
    other = factories.FamilyFactory()
    services.add_to_cart(family=family, person=lea, groups=[camp, daycare])
    services.add_to_cart(family=other, person=factories.PersonFactory(family=other), groups=[camp])
    empty = factories.FamilyFactory()
    with django_assert_num_queries(3):
        counts = [selectors.cart_item_count(family=f) for f in (family, other, empty)]
    assert counts == [2, 1, 0]
    CartItem.objects.filter(cart__family=family, group=daycare).delete()
    assert selectors.cart_item_count(family=family) == 1  # counted again, not kept


def _badge(client) -> str:
    return text(client.get(reverse("registrations:cart_badge"))).split(
        'class="cart-badge__count" aria-hidden="true">'
    )[1][:1]


def test_the_badge_count_is_cached_and_follows_every_cart_change(
    parent_client, family, lea, camp, daycare, django_assert_num_queries
):
    assert _badge(parent_client) == "0"
    services.add_to_cart(family=family, person=lea, groups=[camp, daycare])
    assert _badge(parent_client) == "2"
    with django_assert_num_queries(1):  # the session's user and family: the count is cached
        parent_client.get(reverse("registrations:cart_badge"))
    services.remove_from_cart(family=family, item_id=CartItem.objects.get(group=daycare).pk)
    assert _badge(parent_client) == "1"
    pay(services.checkout(family=family).order)  # paid lines leave the cart
    assert _badge(parent_client) == "0"


def test_checkout_holds_every_item_and_sends_to_the_simulated_page(
    parent_client, family, lea, camp, daycare
):
    services.add_to_cart(family=family, person=lea, groups=[camp, daycare])
    response = parent_client.post(CHECKOUT)
    order = Order.objects.get()
    assert response.url == reverse("registrations:simulated_payment", args=[order.public_id])
    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.total == Decimal("225.00")
    held = Registration.objects.filter(order=order, status=Registration.Status.HELD)
    assert held.count() == 2
    assert {r.kind for r in held} == {"camp", "daycare"}
    assert all(r.hold_expires_at == order.hold_expires_at for r in held)
    assert CartItem.objects.count() == 2  # emptied only when paid


def test_item_that_no_longer_fits_stays_in_the_cart_and_the_parent_is_told_before_paying(
    parent_client, family, lea, noah, camp, other_camp
):
    services.add_to_cart(family=family, person=lea, groups=[camp])
    services.add_to_cart(family=family, person=noah, groups=[other_camp])
    other_camp.capacity = 0
    other_camp.save()
    response = parent_client.post(CHECKOUT, follow=True)
    order = Order.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "registrations:order_detail", args=[order.public_id]
    )
    assert "Ce groupe est complet" in text(response)
    assert [r.group for r in order.registrations.all()] == [camp]
    assert CartItem.objects.filter(group=other_camp).exists()


def test_nothing_fits_means_no_order(parent_client, family, lea, camp):
    services.add_to_cart(family=family, person=lea, groups=[camp])
    camp.capacity = 0
    camp.save()
    response = parent_client.post(CHECKOUT, follow=True)
    assert not Order.objects.exists()
    assert "Ce groupe est complet" in text(response)


def test_pay_pressed_again_pays_the_same_order_and_frees_nothing(family, lea, camp):
    services.add_to_cart(family=family, person=lea, groups=[camp])
    first = services.checkout(family=family).order
    again = services.checkout(family=family)
    assert again.order == first and again.reused
    assert Order.objects.count() == 1
    assert first.registrations.get().status == Registration.Status.HELD


def test_stale_expired_hold_of_the_family_is_cleared_before_checkout(family, lea, camp):
    services.add_to_cart(family=family, person=lea, groups=[camp])
    first = services.checkout(family=family, now=timezone.now() - timedelta(hours=1)).order
    second = services.checkout(family=family).order
    first.refresh_from_db()
    assert first.status == Order.Status.EXPIRED
    assert second is not None


def test_provider_failure_keeps_the_order_payable_and_says_so(
    parent_client, family, lea, camp, monkeypatch
):
    """The order may still be paid (a timeout after the provider acted): nothing is
    released, and the cart offers « Payer » again for it."""
    from registrations.payments.simulated import SimulatedProvider

    def broken(self, order):
        raise ProviderError("timeout")

    monkeypatch.setattr(SimulatedProvider, "start_checkout", broken)
    services.add_to_cart(family=family, person=lea, groups=[camp])
    response = parent_client.post(CHECKOUT, follow=True)
    order = Order.objects.get()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert Registration.objects.occupying().filter(order=order).exists()
    page = text(response)
    assert "Le service de paiement n'a pas répondu" in page
    assert "Annuler ce paiement" in page
    assert CartItem.objects.count() == 1


def test_simulated_pay_confirms_and_queues_one_confirmation_email(
    parent_client, family, lea, camp, daycare
):
    services.add_to_cart(family=family, person=lea, groups=[camp, daycare])
    parent_client.post(CHECKOUT)
    order = Order.objects.get()
    url = reverse("registrations:simulated_payment", args=[order.public_id])
    assert "Paiement simulé" in text(parent_client.get(url))
    response = parent_client.post(url, {"action": "pay"}, follow=True)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert set(order.registrations.values_list("status", flat=True)) == {"confirmed"}
    assert not CartItem.objects.exists()
    assert order.payments.get().amount == order.total
    page = text(response)
    assert "courriel de confirmation" in page and "courriels indésirables" in page
    email = sent_email("order_confirmation")  # rendered by the worker, as it is sent
    assert OutgoingEmail.objects.count() == 1
    assert email.to == family.user.email
    assert order.number in email.subject
    for expected in ("Léa", "Camp Aventure", "Service de garde", "Semaine 1", "225,00", "555-0100"):
        assert expected in email.body_text


def test_simulated_decline_releases_the_holds(parent_client, family, lea, camp):
    services.add_to_cart(family=family, person=lea, groups=[camp])
    parent_client.post(CHECKOUT)
    order = Order.objects.get()
    url = reverse("registrations:simulated_payment", args=[order.public_id])
    page = text(parent_client.post(url, {"action": "decline"}, follow=True))
    order.refresh_from_db()
    assert order.status == Order.Status.DECLINED
    assert not Registration.objects.occupying().exists()
    assert CartItem.objects.count() == 1
    assert "Retour au panier" in page


def test_a_declined_payment_is_a_warning_with_the_way_back_to_the_cart(
    parent_client, family, lea, camp
):
    from django.contrib import messages

    services.add_to_cart(family=family, person=lea, groups=[camp])
    parent_client.post(CHECKOUT)
    order = Order.objects.get()
    url = reverse("registrations:simulated_payment", args=[order.public_id])
    response = parent_client.post(url, {"action": "decline"}, follow=True)
    told = list(response.context["messages"])
    assert [m.level for m in told] == [messages.WARNING]
    page = text(response)
    assert "message--success" not in page and "message--info" not in page
    assert f'href="{CART}">Retour au panier</a>' in page


def test_a_declined_offer_payment_keeps_the_place_and_says_until_when(
    parent_client, family, lea, camp
):
    from waitlist.services import offer_place

    entry = factories.WaitlistEntryFactory(family=family, person=lea, group=camp)
    order = offer_place(entry=entry)
    url = reverse("registrations:simulated_payment", args=[order.public_id])
    page = text(parent_client.post(url, {"action": "decline"}, follow=True))
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert "message--warning" in page
    assert "La place reste réservée jusqu'au" in page
    assert str(order.hold_expires_at.year) in page


def test_a_family_cannot_see_or_pay_another_familys_order(parent_client, camp):
    other = factories.FamilyFactory()
    child = factories.PersonFactory(family=other)
    services.add_to_cart(family=other, person=child, groups=[camp])
    order = services.checkout(family=other).order
    for name in ("order_detail", "simulated_payment"):
        assert (
            parent_client.get(reverse(f"registrations:{name}", args=[order.public_id])).status_code
            == 404
        )
    pay = reverse("registrations:simulated_payment", args=[order.public_id])
    assert parent_client.post(pay, {"action": "pay"}).status_code == 404
    assert (
        parent_client.post(reverse("registrations:pay_order", args=[order.public_id])).status_code
        == 404
    )
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT


def test_order_page_polls_while_awaiting_the_provider(parent_client, family, lea, camp):
    services.add_to_cart(family=family, person=lea, groups=[camp])
    order = services.checkout(family=family).order
    order.provider_reference = "cs_test"
    order.save()
    url = reverse("registrations:order_detail", args=[order.public_id])
    partial = text(parent_client.get(url, headers={"HX-Request": "true"}))
    assert 'hx-trigger="every 2s"' in partial and "<html" not in partial
    pay(order)
    partial = text(parent_client.get(url, headers={"HX-Request": "true"}))
    assert "every 2s" not in partial and "confirmée" in partial
