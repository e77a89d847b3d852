from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.template.backends.django import Template
from django.utils import timezone

from activities.models import Activity
from portal import emails
from portal.errors import DomainError
from portal.models import OutgoingEmail
from registrations.models import Order, Payment, Registration
from tests import factories
from tests.registrations.helpers import sent_email
from waitlist.models import WaitlistEntry
from waitlist.services import join_waitlist

pytestmark = pytest.mark.django_db


@contextmanager
def refused(code: str):
    """The join is refused for this rule (``registrations.rules``), whatever the wording."""
    with pytest.raises(DomainError) as refusal:
        yield
    assert refusal.value.code == code


def test_joining_creates_the_entry_and_no_order_registration_or_payment(family, child, full_group):
    orders, registrations = Order.objects.count(), Registration.objects.count()

    entry = join_waitlist(family=family, person=child, group=full_group, addons=[])

    assert entry.status == WaitlistEntry.Status.WAITING
    assert Order.objects.count() == orders
    assert Registration.objects.count() == registrations
    assert not Payment.objects.exists()


def test_joining_emails_the_position_in_the_family_language(family, child, full_group):
    factories.WaitlistEntryFactory(group=full_group)

    entry = join_waitlist(family=family, person=child, group=full_group)

    assert (entry.position, entry.waiting_total) == (2, 2)  # what the page says too
    email = sent_email("waitlist_joined")
    assert email.to == family.user.email
    assert email.subject.startswith("Vous êtes sur la liste d'attente")
    assert "2e sur 2" in email.body_text


def test_english_family_gets_the_email_in_english(family, child, full_group):
    family.preferred_language = "en"
    family.save()

    join_waitlist(family=family, person=child, group=full_group)

    email = sent_email("waitlist_joined")
    assert email.subject.startswith("You are on the waiting list")
    assert "1st of 1" in email.body_text


def test_addons_of_the_week_ride_with_the_entry_unpriced(family, child, full_group):
    daycare = factories.GroupFactory(
        week=full_group.week, activity__kind=Activity.Kind.DAYCARE, capacity=0
    )

    entry = join_waitlist(family=family, person=child, group=full_group, addons=[daycare])

    assert list(entry.addons.all()) == [daycare]
    assert not Order.objects.filter(family=family).exists()
    assert f"{daycare.activity.name}" in sent_email("waitlist_joined").body_text


def test_joining_renders_no_template_and_the_email_keeps_the_place_the_page_showed(
    family, child, full_group, monkeypatch
):
    """Opening night: the join only writes the outbox row; the worker renders it seconds
    later, with the place in line the family saw, even if the line moved meanwhile."""
    ahead = factories.WaitlistEntryFactory(group=full_group)
    rendered = []
    monkeypatch.setattr(Template, "render", lambda *args, **kw: rendered.append(args) or "")
    entry = join_waitlist(family=family, person=child, group=full_group)
    monkeypatch.undo()
    assert rendered == []
    email = OutgoingEmail.objects.get(kind="waitlist_joined")
    assert email.awaits_rendering

    ahead.status = WaitlistEntry.Status.CANCELLED  # the family ahead leaves the line
    ahead.save()

    email = sent_email("waitlist_joined")
    assert entry.position == 2
    assert "2e sur 2" in email.body_text and "2e sur 2" in email.body_html
    assert child.first_name in email.subject and full_group.activity.name in email.subject


def test_joining_twice_is_refused(family, child, full_group):
    join_waitlist(family=family, person=child, group=full_group)

    with refused("already_waiting"):
        join_waitlist(family=family, person=child, group=full_group)
    assert WaitlistEntry.objects.filter(person=child).count() == 1


def test_child_already_registered_in_the_group_cannot_join(family, child):
    group = factories.GroupFactory(capacity=1)
    order = factories.OrderFactory(family=family)
    factories.RegistrationFactory(order=order, person=child, group=group)

    with refused("already_registered"):
        join_waitlist(family=family, person=child, group=group)


def test_child_in_another_camp_that_week_cannot_join(family, child, full_group):
    other_camp = factories.GroupFactory(week=full_group.week)
    order = factories.OrderFactory(family=family)
    factories.RegistrationFactory(order=order, person=child, group=other_camp)

    with refused("camp_same_week"):
        join_waitlist(family=family, person=child, group=full_group)


@pytest.mark.parametrize("trait", ["pending", "rejected"])
def test_non_approved_family_cannot_join(trait, full_group):
    family = factories.FamilyFactory(**{trait: True})
    person = factories.PersonFactory(family=family)

    with refused("not_approved"):
        join_waitlist(family=family, person=person, group=full_group)
    assert not WaitlistEntry.objects.exists()


def test_group_with_public_places_is_refused_register_normally(family, child):
    group = factories.GroupFactory(capacity=5)

    with refused("places_free"):
        join_waitlist(family=family, person=child, group=group)


def test_person_of_another_family_is_refused(family, full_group):
    stranger = factories.PersonFactory()

    with refused("not_in_family"):
        join_waitlist(family=family, person=stranger, group=full_group)


def test_child_outside_the_age_range_is_refused(family, child):
    group = factories.GroupFactory(capacity=0, min_age=10, max_age=12)

    with refused("age"):
        join_waitlist(family=family, person=child, group=group)


def test_addon_of_another_week_is_refused(family, child, full_group):
    other_week_daycare = factories.GroupFactory(activity__kind=Activity.Kind.DAYCARE)

    with refused("not_a_service_of_that_week"):
        join_waitlist(family=family, person=child, group=full_group, addons=[other_week_daycare])


def test_french_refusal_reason(family, child, full_group):
    from django.utils import translation

    join_waitlist(family=family, person=child, group=full_group)
    with translation.override("fr"), pytest.raises(DomainError) as refusal:
        join_waitlist(family=family, person=child, group=full_group)
    assert "déjà sur la liste d'attente" in str(refusal.value)


def test_a_non_resident_family_cannot_join_before_its_own_opening(child, full_group):
    season = full_group.week.season
    season.opens_at_nonresident = timezone.now() + timedelta(days=7)
    season.save()
    family = child.family
    family.is_resident = False
    family.save()

    with refused("not_open"):
        join_waitlist(family=family, person=child, group=full_group)


def test_nobody_joins_after_registration_closed(family, child, full_group):
    season = full_group.week.season
    season.opens_at = timezone.now() - timedelta(days=60)
    season.opens_at_nonresident = timezone.now() - timedelta(days=59)
    season.closes_at = timezone.now() - timedelta(minutes=1)
    season.save()

    with refused("closed"):
        join_waitlist(family=family, person=child, group=full_group)


def test_a_service_riding_with_an_entry_must_fit_the_childs_age(family, child, full_group):
    """Léa is 8: an 9-13 bike transport may not ride with her entry (it did, through offers)."""
    bike = factories.GroupFactory(
        week=full_group.week, activity__kind=Activity.Kind.TRANSPORT, min_age=9, max_age=13
    )

    with refused("age"):
        join_waitlist(family=family, person=child, group=full_group, addons=[bike])


def test_an_entry_gone_before_the_worker_renders_its_email_is_not_sent_and_says_why(
    family, child, full_group
):
    entry = join_waitlist(family=family, person=child, group=full_group)
    email = OutgoingEmail.objects.get(kind="waitlist_joined")
    entry.delete()  # a privacy purge, say, between the join and the worker

    assert emails.deliver(email.pk) is False

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.PENDING and email.attempts == 1
    assert "DoesNotExist" in email.last_error and email.body_text == ""
