from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import OutgoingEmail
from registrations import services, tasks
from registrations.models import CartItem, Order, Payment, Registration
from registrations.payments import RefundResult
from registrations.payments.simulated import SimulatedProvider
from tests import factories

from .helpers import paid_order, pay, text


@pytest.fixture
def late_order(family, lea, camp):
    """An order whose 30-minute hold ran out before the payment arrived."""
    services.add_to_cart(family=family, person=lea, groups=[camp])
    return services.checkout(family=family, now=timezone.now() - timedelta(hours=1)).order


def test_late_payment_is_confirmed_when_the_place_is_still_free(late_order):
    outcome = pay(late_order)
    late_order.refresh_from_db()
    assert outcome == "confirmed"
    assert late_order.status == Order.Status.PAID
    assert late_order.registrations.get().status == Registration.Status.CONFIRMED


def test_late_payment_after_the_expiry_task_is_still_confirmed_if_free(late_order):
    assert len(services.expire_stale_orders()) == 1
    late_order.refresh_from_db()
    assert late_order.status == Order.Status.EXPIRED
    assert pay(late_order) == "confirmed"
    assert late_order.registrations.get().status == Registration.Status.CONFIRMED


def test_late_payment_is_refunded_when_the_place_was_taken(
    late_order, camp, family, django_capture_on_commit_callbacks, monkeypatch
):
    camp.capacity = 1
    camp.save()
    factories.RegistrationFactory(group=camp)  # another family took the freed place
    refunds = []

    def refund(self, *, payment_reference, amount, key, order):
        refunds.append(amount)
        return RefundResult(reference=f"re_{key}", status="succeeded")

    monkeypatch.setattr(SimulatedProvider, "refund", refund)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = pay(late_order)
    late_order.refresh_from_db()
    assert outcome == "refunded"
    assert late_order.status == Order.Status.REFUNDED
    assert refunds == [late_order.total]
    assert late_order.registrations.get().status == Registration.Status.CANCELLED
    assert Payment.objects.filter(order=late_order, kind="refund").count() == 1
    assert CartItem.objects.filter(cart__family=family, group=camp).exists()
    email = OutgoingEmail.objects.get(kind="order_late_refund")
    assert email.to == family.user.email
    # the refunded item is back in the cart, flagged full; a replayed payment changes nothing
    assert pay(late_order) == "already"


def test_refunded_late_item_shows_full_in_the_cart(parent_client, late_order, camp):
    camp.capacity = 1
    camp.save()
    factories.RegistrationFactory(group=camp)
    pay(late_order)
    page = text(parent_client.get(reverse("registrations:cart")))
    assert "Complet" in page


def test_expiry_frees_the_places_and_availability_never_waited(family, lea, camp):
    camp.capacity = 1
    camp.save()
    services.add_to_cart(family=family, person=lea, groups=[camp])
    services.checkout(family=family, now=timezone.now() - timedelta(hours=1))
    other = factories.FamilyFactory()
    child = factories.PersonFactory(family=other)
    # before the task runs, the expired hold already takes no place
    assert services.add_to_cart(family=other, person=child, groups=[camp]).added == [camp]
    assert tasks.expire_stale_orders.delay().get() == 1
    assert not Registration.objects.filter(status="held").exists()


def test_expiry_leaves_unexpired_and_paid_orders_alone(family, lea, noah, camp):
    paid = paid_order(family=family, items=[(noah, [camp])])
    services.add_to_cart(family=family, person=lea, groups=[camp])
    pending = services.checkout(family=family).order
    assert services.expire_stale_orders() == []
    pending.refresh_from_db()
    paid.refresh_from_db()
    assert (pending.status, paid.status) == ("pending_payment", "paid")


def test_expiry_is_scheduled(settings):
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "registrations.tasks.expire_stale_orders" in tasks_scheduled


def test_a_late_refund_the_provider_refused_is_retried_until_it_goes_through(
    late_order, camp, django_capture_on_commit_callbacks, monkeypatch
):
    from registrations.payments import ProviderError

    camp.capacity = 1
    camp.save()
    factories.RegistrationFactory(group=camp)

    def refused(self, **kwargs):
        raise ProviderError("provider unreachable")

    monkeypatch.setattr(SimulatedProvider, "refund", refused)
    with django_capture_on_commit_callbacks(execute=True):
        assert pay(late_order) == "refunded"
    refund = Payment.objects.get(order=late_order, kind="refund")
    assert refund.provider_reference == ""  # recorded, not yet accepted by the provider
    assert refund.status == Payment.Status.PENDING

    monkeypatch.setattr(
        SimulatedProvider,
        "refund",
        lambda self, **kwargs: RefundResult(reference="re_123", status="succeeded"),
    )
    assert services.retry_unsent_refunds(now=timezone.now()) == 0  # too recent to retry
    assert tasks.retry_unsent_refunds.apply().get() == 0
    later = timezone.now() + timedelta(minutes=2)
    assert services.retry_unsent_refunds(now=later) == 1

    refund.refresh_from_db()
    assert (refund.provider_reference, refund.status) == ("re_123", Payment.Status.SUCCEEDED)
    assert services.retry_unsent_refunds(now=later) == 0
