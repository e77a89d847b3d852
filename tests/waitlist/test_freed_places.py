"""Every path that frees a place reaches the waiting line (issue: "a freed place always
reaches the line"): after the path and one run of the sweep, the next family has an
offer (automatic promotion) or staff have exactly one email. No signal is involved: the
sweep reads the facts, so a path nobody thought of is served too."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activities.services import change_capacity
from portal.models import OutgoingEmail
from registrations import services as registrations
from registrations.models import Order, Payment, Registration
from registrations.payments import PaymentEvent, RefundNews
from registrations.payments.simulated import SimulatedProvider
from tests import factories
from tests.registrations.helpers import pay
from waitlist.models import WaitlistEntry
from waitlist.services import leave_waitlist, offer_place, serve_waiting_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(db):
    """A camp of one place taken by a paying family, and a family waiting for it."""
    group = factories.GroupFactory(capacity=1)
    taker = factories.FamilyFactory()
    child = factories.PersonFactory(family=taker)
    registrations.add_to_cart(family=taker, person=child, groups=[group])
    order = registrations.checkout(family=taker).order
    waiting = factories.WaitlistEntryFactory(group=group)
    return group, order, waiting


def expire_hold(group, order, waiting):
    Order.objects.filter(pk=order.pk).update(hold_expires_at=timezone.now())
    Registration.objects.filter(order=order).update(hold_expires_at=timezone.now())


def declined_payment(group, order, waiting):
    registrations.handle_payment_event(
        event=SimulatedProvider.event(order, outcome=PaymentEvent.FAILED)
    )


def cancelled_payment(group, order, waiting):
    registrations.cancel_payment(order=order)


def staff_refund(group, order, waiting):
    pay(order)
    registrations.cancel_and_refund(order=order, by=None, reason="Annulation")


def staff_refund_of_one_line(group, order, waiting):
    pay(order)
    line = order.registrations.get()
    registrations.cancel_and_refund(
        order=order, by=None, reason="Annulation", registration_ids=[line.pk]
    )


def refund_made_at_the_provider(group, order, waiting):
    pay(order)
    charge = order.payments.get()
    registrations.handle_payment_event(
        event=PaymentEvent(
            provider="simulated",
            event_id="dashboard-refund",
            event_type="refund.updated",
            outcome=PaymentEvent.REFUND,
            payment_reference=charge.provider_reference,
            refunds=(RefundNews("re_dash", charge.provider_reference, order.total, "succeeded"),),
        )
    )


def pay_pressed_again_after_the_hold(group, order, waiting):
    """The family comes back after its hold ran out and presses « Payer » again: its old
    hold is released inside checkout, and the line (not the family) gets the place."""
    expire_hold(group, order, waiting)
    again = registrations.checkout(family=order.family)
    assert again.order is None and again.refused[0][1].code == "full"


def capacity_raised(group, order, waiting):
    pay(order)
    change_capacity(group=group, capacity=2)


def _offered_then(group, order, waiting, end):
    """The place goes to a first family in line, which then does not take it."""
    Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELLED)
    Registration.objects.filter(order=order).update(status=Registration.Status.CANCELLED)
    first = factories.WaitlistEntryFactory(
        group=group, queued_at=waiting.queued_at - timedelta(minutes=1)
    )
    offer = offer_place(entry=first)
    end(first, offer)


def declined_offer(group, order, waiting):
    _offered_then(group, order, waiting, lambda e, o: leave_waitlist(family=e.family, entry=e))


def expired_offer(group, order, waiting):
    def lapse(entry, offer):
        Order.objects.filter(pk=offer.pk).update(hold_expires_at=timezone.now())
        Registration.objects.filter(order=offer).update(hold_expires_at=timezone.now())

    _offered_then(group, order, waiting, lapse)


PATHS = [
    expire_hold,
    declined_payment,
    cancelled_payment,
    staff_refund,
    staff_refund_of_one_line,
    refund_made_at_the_provider,
    pay_pressed_again_after_the_hold,
    capacity_raised,
    declined_offer,
    expired_offer,
]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.__name__)
def test_without_promotion_staff_get_one_email_per_freed_place(line, path):
    group, order, waiting = line
    path(group, order, waiting)

    serve_waiting_lines()
    serve_waiting_lines()  # a second sweep tells nobody twice

    staff = OutgoingEmail.objects.filter(kind="waitlist_staff_free_places")
    assert staff.count() == 1
    waiting.refresh_from_db()
    assert waiting.status == WaitlistEntry.Status.WAITING


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.__name__)
def test_with_promotion_the_next_family_gets_the_offer(line, path):
    group, order, waiting = line
    group.week.season.auto_promote = True
    group.week.season.save()
    path(group, order, waiting)

    serve_waiting_lines()

    waiting.refresh_from_db()
    assert waiting.status == WaitlistEntry.Status.OFFERED
    assert OutgoingEmail.objects.filter(kind="waitlist_offer", to=waiting.family.user.email)
    assert not OutgoingEmail.objects.filter(kind="waitlist_staff_free_places").exists()


def test_no_place_freed_no_email(line):
    _group, order, _waiting = line
    pay(order)

    serve_waiting_lines()

    assert not OutgoingEmail.objects.filter(kind="waitlist_staff_free_places").exists()
    assert not Payment.objects.filter(kind="refund").exists()
