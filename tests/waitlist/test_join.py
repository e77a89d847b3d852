import pytest

from activities.models import Activity
from portal.models import OutgoingEmail
from registrations.models import Order, Payment, Registration
from tests import factories
from waitlist.models import WaitlistEntry
from waitlist.services import WaitlistRefused, join_waitlist

pytestmark = pytest.mark.django_db


def test_joining_creates_the_entry_and_no_order_registration_or_payment(family, child, full_group):
    orders, registrations = Order.objects.count(), Registration.objects.count()

    entry = join_waitlist(family=family, person=child, group=full_group, addons=[])

    assert entry.status == WaitlistEntry.Status.WAITING
    assert Order.objects.count() == orders
    assert Registration.objects.count() == registrations
    assert not Payment.objects.exists()


def test_joining_emails_the_position_in_the_family_language(family, child, full_group):
    factories.WaitlistEntryFactory(group=full_group)

    join_waitlist(family=family, person=child, group=full_group)

    email = OutgoingEmail.objects.get(kind="waitlist_joined")
    assert email.to == family.user.email
    assert email.subject.startswith("Vous êtes sur la liste d'attente")
    assert "2e sur 2" in email.body_text


def test_english_family_gets_the_email_in_english(family, child, full_group):
    family.preferred_language = "en"
    family.save()

    join_waitlist(family=family, person=child, group=full_group)

    email = OutgoingEmail.objects.get(kind="waitlist_joined")
    assert email.subject.startswith("You are on the waiting list")
    assert "1st of 1" in email.body_text


def test_addons_of_the_week_ride_with_the_entry_unpriced(family, child, full_group):
    daycare = factories.GroupFactory(
        week=full_group.week, activity__kind=Activity.Kind.DAYCARE, capacity=0
    )

    entry = join_waitlist(family=family, person=child, group=full_group, addons=[daycare])

    assert list(entry.addons.all()) == [daycare]
    assert not Order.objects.filter(family=family).exists()


def test_joining_twice_is_refused(family, child, full_group):
    join_waitlist(family=family, person=child, group=full_group)

    with pytest.raises(WaitlistRefused, match="déjà sur la liste d'attente"):
        join_waitlist(family=family, person=child, group=full_group)
    assert WaitlistEntry.objects.filter(person=child).count() == 1


def test_child_already_registered_in_the_group_cannot_join(family, child):
    group = factories.GroupFactory(capacity=1)
    order = factories.OrderFactory(family=family)
    factories.RegistrationFactory(order=order, person=child, group=group)

    with pytest.raises(WaitlistRefused, match="déjà inscrit\\(e\\) dans ce groupe"):
        join_waitlist(family=family, person=child, group=group)


def test_child_in_another_camp_that_week_cannot_join(family, child, full_group):
    other_camp = factories.GroupFactory(week=full_group.week)
    order = factories.OrderFactory(family=family)
    factories.RegistrationFactory(order=order, person=child, group=other_camp)

    with pytest.raises(WaitlistRefused, match="à un camp cette semaine-là"):
        join_waitlist(family=family, person=child, group=full_group)


@pytest.mark.parametrize("trait", ["pending", "rejected"])
def test_non_approved_family_cannot_join(trait, full_group):
    family = factories.FamilyFactory(**{trait: True})
    person = factories.PersonFactory(family=family)

    with pytest.raises(WaitlistRefused, match="doit être approuvé"):
        join_waitlist(family=family, person=person, group=full_group)
    assert not WaitlistEntry.objects.exists()


def test_group_with_public_places_is_refused_register_normally(family, child):
    group = factories.GroupFactory(capacity=5)

    with pytest.raises(WaitlistRefused, match="inscrivez-vous normalement"):
        join_waitlist(family=family, person=child, group=group)


def test_person_of_another_family_is_refused(family, full_group):
    stranger = factories.PersonFactory()

    with pytest.raises(WaitlistRefused, match="ne fait pas partie de votre dossier"):
        join_waitlist(family=family, person=stranger, group=full_group)


def test_child_outside_the_age_range_is_refused(family, child):
    group = factories.GroupFactory(capacity=0, min_age=10, max_age=12)

    with pytest.raises(WaitlistRefused, match="de 10 à 12 ans"):
        join_waitlist(family=family, person=child, group=group)


def test_addon_of_another_week_is_refused(family, child, full_group):
    other_week_daycare = factories.GroupFactory(activity__kind=Activity.Kind.DAYCARE)

    with pytest.raises(WaitlistRefused, match="de la même semaine"):
        join_waitlist(family=family, person=child, group=full_group, addons=[other_week_daycare])


def test_french_refusal_reason(family, child, full_group):
    from django.utils import translation

    join_waitlist(family=family, person=child, group=full_group)
    with translation.override("fr"), pytest.raises(WaitlistRefused) as refusal:
        join_waitlist(family=family, person=child, group=full_group)
    assert "déjà sur la liste d'attente" in str(refusal.value)
