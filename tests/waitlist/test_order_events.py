"""The waiting list reacts to registrations' order events (order_paid, order_released)."""

from portal.models import OutgoingEmail
from registrations import services as registrations
from registrations.models import Order, Registration
from tests import factories
from waitlist import services
from waitlist.models import WaitlistEntry

from .conftest import waiting_entry


def test_paying_an_offer_through_confirm_payment_accepts_the_entry(full_group):
    entry = waiting_entry(full_group)
    full_group.registrations.update(status=Registration.Status.CANCELLED)
    order = services.offer_place(entry=entry)

    assert registrations.confirm_payment(order=order) == "confirmed"

    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.ACCEPTED
    assert order.registrations.get().status == Registration.Status.CONFIRMED


def test_staff_refund_frees_a_place_and_tells_staff_when_families_wait(full_group, staff_user):
    paid = Registration.objects.filter(group=full_group).first().order
    paid.status = Order.Status.PAID
    paid.save()
    waiting_entry(full_group)

    assert registrations.cancel_and_refund(order=paid, by=staff_user) == "refunded"

    assert OutgoingEmail.objects.filter(kind="waitlist_staff_free_places").count() == 1


def test_staff_refund_with_automatic_promotion_offers_the_place_to_the_next_family(
    full_group, staff_user
):
    season = full_group.week.season
    season.auto_promote = True
    season.save()
    paid = Registration.objects.filter(group=full_group).first().order
    paid.status = Order.Status.PAID
    paid.save()
    entry = waiting_entry(full_group)

    registrations.cancel_and_refund(order=paid, by=staff_user)

    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.OFFERED
    assert OutgoingEmail.objects.filter(kind="waitlist_offer", to=entry.family.user.email).exists()


def test_an_expired_cart_hold_sends_the_place_to_the_waiting_line(full_group):
    from datetime import timedelta

    from django.utils import timezone

    full_group.registrations.update(status=Registration.Status.CANCELLED)
    shopper = factories.FamilyFactory()
    order = factories.OrderFactory(
        family=shopper, hold_expires_at=timezone.now() - timedelta(minutes=1)
    )
    factories.RegistrationFactory(
        order=order,
        group=full_group,
        status=Registration.Status.HELD,
        hold_expires_at=order.hold_expires_at,
    )
    waiting_entry(full_group)

    assert registrations.expire_stale_orders() >= 1

    assert OutgoingEmail.objects.filter(kind="waitlist_staff_free_places").exists()


def test_raising_capacity_tells_staff_that_families_wait(full_group):
    from activities.services import change_capacity

    waiting_entry(full_group)

    change_capacity(group=full_group, capacity=2)

    assert OutgoingEmail.objects.filter(kind="waitlist_staff_free_places").count() == 1


def test_offer_next_is_an_action_of_the_group_admin(full_group, staff_client):
    entry = waiting_entry(full_group)
    full_group.registrations.update(status=Registration.Status.CANCELLED)

    response = staff_client.post(
        "/admin/activities/group/",
        {"action": "offer_next_action", "_selected_action": [full_group.pk]},
        follow=True,
    )

    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.OFFERED
