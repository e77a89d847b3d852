from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from activities.models import Activity
from activities.selectors import group_availability
from portal.errors import DomainError
from portal.models import OutgoingEmail
from registrations import services as registrations
from registrations.models import Order, Registration
from tests import factories
from tests.registrations.helpers import pay
from waitlist.models import WaitlistEntry, WaitlistEvent
from waitlist.services import leave_waitlist, offer_next, offer_place, serve_waiting_lines

from .conftest import free_a_place, waiting_entry

pytestmark = pytest.mark.django_db


def test_offer_holds_the_place_in_a_waitlist_order_and_emails_the_payment_link(
    full_group, staff_user
):
    entry = waiting_entry(full_group)
    free_a_place(full_group)

    order = offer_place(entry=entry, by=staff_user)

    entry.refresh_from_db()
    assert order.source == Order.Source.WAITLIST_OFFER
    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.total == Decimal("185.00")
    expected_deadline = timezone.now() + timedelta(hours=48)
    assert abs(order.hold_expires_at - expected_deadline) < timedelta(minutes=1)
    registration = order.registrations.get()
    assert (registration.status, registration.group, registration.person) == (
        Registration.Status.HELD,
        full_group,
        entry.person,
    )
    assert registration.hold_expires_at == order.hold_expires_at
    assert (entry.status, entry.offer_order, entry.offer_expires_at) == (
        WaitlistEntry.Status.OFFERED,
        order,
        order.hold_expires_at,
    )
    assert entry.events.get(action="offered").actor == staff_user
    email = OutgoingEmail.objects.get(kind="waitlist_offer")
    assert f"/inscription/commande/{order.public_id}/" in email.body_text
    assert group_availability(group_ids=[full_group.pk])[full_group.pk].free == 0


def test_offer_is_refused_when_no_place_is_free(full_group, staff_user):
    entry = waiting_entry(full_group)

    with pytest.raises(DomainError) as refused:
        offer_place(entry=entry, by=staff_user)
    assert refused.value.code == "full"

    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WAITING
    assert not Order.objects.filter(source=Order.Source.WAITLIST_OFFER).exists()


def test_offer_is_priced_for_a_non_resident_family(full_group):
    family = factories.FamilyFactory(is_resident=False)
    entry = waiting_entry(full_group, family=family)
    free_a_place(full_group)

    order = offer_place(entry=entry)

    assert order.total == Decimal("260.00")


def test_addons_with_a_place_are_held_and_one_without_waits_on_its_own(full_group):
    daycare = factories.GroupFactory(week=full_group.week, activity__kind=Activity.Kind.DAYCARE)
    bike = factories.GroupFactory(
        week=full_group.week, activity__kind=Activity.Kind.TRANSPORT, capacity=0
    )
    entry = waiting_entry(full_group)
    entry.addons.set([daycare, bike])
    free_a_place(full_group)

    order = offer_place(entry=entry)

    assert set(order.registrations.values_list("group", flat=True)) == {full_group.pk, daycare.pk}
    assert order.total == full_group.price_resident + daycare.price_resident
    bike_entry = WaitlistEntry.objects.get(group=bike)
    assert (bike_entry.status, bike_entry.person, bike_entry.queued_at) == (
        WaitlistEntry.Status.WAITING,
        entry.person,
        entry.queued_at,
    )


def test_offer_next_offers_to_the_first_in_line(full_group):
    first = waiting_entry(full_group)
    waiting_entry(full_group)
    free_a_place(full_group)

    order = offer_next(group=full_group)

    first.refresh_from_db()
    assert first.offer_order == order


def test_offer_next_with_nobody_waiting_is_refused(full_group):
    with pytest.raises(DomainError) as refused:
        offer_next(group=full_group)
    assert refused.value.code == "nobody_waiting"


def test_declining_an_offer_frees_the_place_at_once(full_group):
    entry = waiting_entry(full_group)
    free_a_place(full_group)
    order = offer_place(entry=entry)

    leave_waitlist(family=entry.family, entry=entry)

    entry.refresh_from_db()
    order.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.CANCELLED
    assert order.status == Order.Status.CANCELLED
    assert not order.registrations.filter(status=Registration.Status.HELD).exists()
    assert group_availability(group_ids=[full_group.pk])[full_group.pk].free == 1
    assert entry.events.filter(action="declined", actor=entry.family.user).exists()


def test_declining_with_automatic_promotion_offers_the_next_family(
    full_group, django_capture_on_commit_callbacks
):
    full_group.week.season.auto_promote = True
    full_group.week.season.save()
    first, second = waiting_entry(full_group), waiting_entry(full_group)
    free_a_place(full_group)
    offer_place(entry=first)

    with django_capture_on_commit_callbacks(execute=True):
        leave_waitlist(family=first.family, entry=first)

    second.refresh_from_db()
    assert second.status == WaitlistEntry.Status.OFFERED
    assert OutgoingEmail.objects.filter(kind="waitlist_offer", to=second.family.user.email)


def test_leaving_while_waiting_cancels_the_entry(full_group):
    entry = waiting_entry(full_group)

    leave_waitlist(family=entry.family, entry=entry)

    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.CANCELLED
    assert WaitlistEvent.objects.filter(entry=entry, action="left").exists()


def test_a_family_cannot_leave_another_family_entry(full_group, family):
    entry = waiting_entry(full_group)

    with pytest.raises(DomainError):
        leave_waitlist(family=family, entry=entry)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WAITING


def test_paying_the_offer_marks_the_entry_accepted(full_group):
    entry = waiting_entry(full_group)
    free_a_place(full_group)
    order = offer_place(entry=entry)

    assert pay(order) == "confirmed"
    serve_waiting_lines()

    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.ACCEPTED
    assert entry.events.filter(action="accepted").exists()


def test_an_offer_paid_after_expiry_with_its_place_still_free_is_accepted(full_group):
    entry = waiting_entry(full_group)
    free_a_place(full_group)
    order = offer_place(entry=entry)
    after = order.hold_expires_at + timedelta(minutes=1)
    serve_waiting_lines(now=after)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.EXPIRED

    assert pay(order, now=after) == "confirmed"  # nobody else waits: the place is still free
    serve_waiting_lines(now=after)

    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.ACCEPTED


def test_an_offer_refunded_by_staff_before_settling_frees_the_entry(full_group, staff_user):
    entry = waiting_entry(full_group)
    free_a_place(full_group)
    order = offer_place(entry=entry)
    registrations.cancel_payment(order=order)

    serve_waiting_lines()

    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.CANCELLED


def test_a_service_in_an_offer_must_fit_the_childs_age(full_group):
    """A 6-year-old was once confirmed in an 8-13 bike transport through an offer."""
    bike = factories.GroupFactory(
        week=full_group.week, activity__kind=Activity.Kind.TRANSPORT, min_age=8, max_age=13
    )
    six = factories.PersonFactory(birth_date=timezone.now().date().replace(year=2021))
    entry = waiting_entry(full_group, family=six.family, person=six)
    entry.addons.set([bike])
    free_a_place(full_group)

    order = offer_place(entry=entry)

    assert list(order.registrations.values_list("group", flat=True)) == [full_group.pk]
    assert not WaitlistEntry.objects.filter(group=bike).exists()


def test_an_offer_is_refused_to_a_child_who_took_another_camp_that_week(full_group):
    entry = waiting_entry(full_group)
    other_camp = factories.GroupFactory(week=full_group.week)
    factories.RegistrationFactory(
        order=factories.OrderFactory(family=entry.family), person=entry.person, group=other_camp
    )
    free_a_place(full_group)

    with pytest.raises(DomainError) as refused:
        offer_place(entry=entry)
    assert refused.value.code == "camp_same_week"
