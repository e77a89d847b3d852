from datetime import timedelta

import pytest
from django.conf import settings

from activities.selectors import group_availability
from portal.models import OutgoingEmail
from registrations.models import Order, Registration
from tests.registrations.helpers import pay
from waitlist.models import WaitlistEntry
from waitlist.services import offer_place, serve_waiting_lines
from waitlist.tasks import serve_waiting_lines as sweep_task

from .conftest import free_a_place, waiting_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered(full_group):
    """The first of two waiting families got the freed place."""
    first, second = waiting_entry(full_group), waiting_entry(full_group)
    free_a_place(full_group)
    order = offer_place(entry=first)
    return first, second, order


def after_deadline(order):
    return order.hold_expires_at + timedelta(minutes=1)


def expire_offers(*, now) -> int:
    return serve_waiting_lines(now=now)["settled_offers"]


def test_expiry_frees_the_place_and_records_it(full_group, offered):
    first, _, order = offered

    assert expire_offers(now=after_deadline(order)) == 1

    first.refresh_from_db()
    order.refresh_from_db()
    assert first.status == WaitlistEntry.Status.EXPIRED
    assert order.status == Order.Status.EXPIRED
    assert order.registrations.get().status == Registration.Status.CANCELLED
    assert first.events.filter(action="expired").exists()
    assert group_availability(group_ids=[full_group.pk])[full_group.pk].free == 1
    assert OutgoingEmail.objects.filter(kind="waitlist_expired", to=first.family.user.email)


def test_nothing_expires_before_the_deadline(offered):
    first, _, order = offered

    assert expire_offers(now=order.hold_expires_at - timedelta(minutes=1)) == 0
    first.refresh_from_db()
    assert first.status == WaitlistEntry.Status.OFFERED


def test_expiry_is_idempotent(offered):
    _, _, order = offered

    assert expire_offers(now=after_deadline(order)) == 1
    assert expire_offers(now=after_deadline(order)) == 0


def test_with_automatic_promotion_the_next_family_gets_the_offer_and_its_email(full_group, offered):
    full_group.week.season.auto_promote = True
    full_group.week.season.save()
    _, second, order = offered

    expire_offers(now=after_deadline(order))

    second.refresh_from_db()
    assert second.status == WaitlistEntry.Status.OFFERED
    assert second.events.get(action="offered").actor is None
    email = OutgoingEmail.objects.get(kind="waitlist_offer", to=second.family.user.email)
    assert str(second.offer_order.public_id) in email.body_text
    assert not OutgoingEmail.objects.filter(kind="waitlist_staff_free_places").exists()


def test_without_automatic_promotion_staff_are_emailed(full_group, offered):
    _, second, order = offered

    expire_offers(now=after_deadline(order))

    second.refresh_from_db()
    assert second.status == WaitlistEntry.Status.WAITING
    email = OutgoingEmail.objects.get(kind="waitlist_staff_free_places")
    assert email.to == settings.STAFF_NOTIFICATION_EMAIL
    assert "1 place" in email.body_text and "1 famille" in email.body_text


def test_a_paid_offer_is_not_expired(offered):
    first, _, order = offered
    assert pay(order) == "confirmed"

    serve_waiting_lines(now=after_deadline(order))
    first.refresh_from_db()
    order.refresh_from_db()
    assert (first.status, order.status) == (WaitlistEntry.Status.ACCEPTED, Order.Status.PAID)


def test_the_periodic_task_expires_offers_and_runs_at_least_every_minute(offered, time_machine):
    _, _, order = offered
    time_machine.move_to(after_deadline(order))

    assert sweep_task.delay().get()["settled_offers"] == 1
    schedule = settings.CELERY_BEAT_SCHEDULE["serve-waiting-lines"]
    assert schedule["task"] == "waitlist.tasks.serve_waiting_lines"
    assert schedule["schedule"] <= timedelta(minutes=1)
