"""Availability is computed from facts only (invariant 1), and the catalogue reads it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activities.models import Activity, Group
from activities.selectors import (
    Availability,
    availability_of,
    catalogue,
    group_availability,
    is_registration_open,
    open_seasons,
    registration_open_at,
    with_availability,
)
from registrations.models import Registration
from tests import factories
from waitlist.models import WaitlistEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    return factories.GroupFactory(capacity=10)


def availability(group) -> Availability:
    return group_availability(group_ids=[group.pk])[group.pk]


def test_confirmed_and_unexpired_holds_take_places(group):
    factories.RegistrationFactory(group=group, status=Registration.Status.CONFIRMED)
    factories.RegistrationFactory(group=group, status=Registration.Status.HELD)
    assert availability(group) == Availability(capacity=10, taken=2, waiting=0)


def test_expired_hold_frees_its_place_without_any_task(group):
    factories.RegistrationFactory(
        group=group,
        status=Registration.Status.HELD,
        hold_expires_at=timezone.now() - timedelta(seconds=1),
    )
    assert availability(group).taken == 0


def test_hold_counts_until_its_expiry_instant(group):
    expires = timezone.now() + timedelta(minutes=5)
    factories.RegistrationFactory(
        group=group, status=Registration.Status.HELD, hold_expires_at=expires
    )
    assert (
        group_availability(group_ids=[group.pk], now=expires - timedelta(seconds=1))[group.pk].taken
        == 1
    )
    assert group_availability(group_ids=[group.pk], now=expires)[group.pk].taken == 0


def test_cancelled_registration_takes_no_place(group):
    factories.RegistrationFactory(group=group, status=Registration.Status.CANCELLED)
    assert availability(group).taken == 0


def test_waiting_entries_reduce_public_places_but_offered_ones_are_not_waiting(group):
    factories.WaitlistEntryFactory(group=group)
    factories.WaitlistEntryFactory(
        group=group,
        status=WaitlistEntry.Status.OFFERED,
        offer_expires_at=timezone.now() + timedelta(hours=48),
    )
    factories.WaitlistEntryFactory(group=group, status=WaitlistEntry.Status.EXPIRED)
    result = availability(group)
    assert result.waiting == 1
    assert result.public_free == 9
    assert result.free == 10


def test_several_groups_at_once_each_get_their_own_figures():
    """Asked together, each group counts only its own lines and entries (its capacity,
    places taken and families waiting are read in separate parts of one statement), and the
    figures equal those the catalogue's annotation gives."""
    busy, empty, offered = (factories.GroupFactory(capacity=n) for n in (5, 7, 2))
    factories.RegistrationFactory.create_batch(2, group=busy)
    factories.RegistrationFactory(group=busy, status=Registration.Status.CANCELLED)
    factories.RegistrationFactory(group=offered)
    factories.WaitlistEntryFactory(group=busy)
    factories.WaitlistEntryFactory(
        group=offered,
        status=WaitlistEntry.Status.OFFERED,
        offer_expires_at=timezone.now() + timedelta(hours=48),
    )
    together = group_availability(group_ids=[busy.pk, empty.pk, offered.pk, 999_999])
    assert together == {
        busy.pk: Availability(capacity=5, taken=2, waiting=1),
        empty.pk: Availability(capacity=7, taken=0, waiting=0),
        offered.pk: Availability(capacity=2, taken=1, waiting=0),
    }
    annotated = with_availability(Group.objects.filter(pk__in=together))
    assert {group.pk: availability_of(group) for group in annotated} == together


def test_public_free_never_below_zero():
    group = factories.GroupFactory(capacity=3)
    for _ in range(2):
        factories.RegistrationFactory(group=group)
    for _ in range(2):
        factories.WaitlistEntryFactory(group=group)
    result = availability(group)
    assert (result.taken, result.waiting) == (2, 2)
    assert result.public_free == 0
    assert result.is_full


def test_public_free_is_zero_when_capacity_lowered_below_taken_by_a_direct_write(group):
    for _ in range(3):
        factories.RegistrationFactory(group=group)
    group.capacity = 1
    group.save()
    assert availability(group).public_free == 0
    assert availability(group).free == 0


def test_open_seasons_include_seasons_not_yet_open_but_not_closed_ones():
    now = timezone.now()
    upcoming = factories.SeasonFactory(
        opens_at=now + timedelta(days=5),
        opens_at_nonresident=now + timedelta(days=10),
        closes_at=now + timedelta(days=60),
    )
    factories.SeasonFactory(
        opens_at=now - timedelta(days=60),
        opens_at_nonresident=now - timedelta(days=50),
        closes_at=now - timedelta(seconds=1),
    )
    assert list(open_seasons()) == [upcoming]


def test_residents_register_before_non_residents():
    now = timezone.now()
    season = factories.SeasonFactory(
        opens_at=now - timedelta(hours=1),
        opens_at_nonresident=now + timedelta(days=7),
        closes_at=now + timedelta(days=60),
    )
    assert registration_open_at(season=season, is_resident=True) == season.opens_at
    assert registration_open_at(season=season, is_resident=False) == season.opens_at_nonresident
    assert is_registration_open(season=season, is_resident=True)
    assert not is_registration_open(season=season, is_resident=False)
    assert not is_registration_open(
        season=season, is_resident=True, now=season.closes_at + timedelta(seconds=1)
    )


@pytest.fixture
def two_weeks():
    season = factories.SeasonFactory()
    week1 = factories.WeekFactory(season=season, number=1)
    week2 = factories.WeekFactory(season=season, number=2)
    camp_young = factories.ActivityFactory(name="Camp 5-7")
    camp_old = factories.ActivityFactory(name="Camp 11-13")
    daycare = factories.ActivityFactory(name="Garde", kind=Activity.Kind.DAYCARE)
    groups = {}
    for week in (week1, week2):
        groups[week.number, "young"] = factories.GroupFactory(
            week=week, activity=camp_young, min_age=5, max_age=7
        )
        groups[week.number, "old"] = factories.GroupFactory(
            week=week, activity=camp_old, min_age=11, max_age=13
        )
        groups[week.number, "daycare"] = factories.GroupFactory(
            week=week, activity=daycare, min_age=5, max_age=13
        )
    return week1, week2, groups


def group_ids(weeks) -> set[int]:
    return {item.group.pk for week in weeks for item in week.items}


def test_catalogue_groups_by_week_in_order(two_weeks):
    week1, week2, _ = two_weeks
    result = catalogue()
    assert [entry.week for entry in result] == [week1, week2]
    assert [item.group.activity.kind for item in result[0].items] == ["camp", "camp", "daycare"]


def test_catalogue_filters_by_week_age_and_kind(two_weeks):
    week1, week2, groups = two_weeks
    assert group_ids(catalogue(week_id=week2.pk)) == {
        groups[2, "young"].pk,
        groups[2, "old"].pk,
        groups[2, "daycare"].pk,
    }
    assert group_ids(catalogue(age=7)) == {
        g.pk for key, g in groups.items() if key[1] in {"young", "daycare"}
    }
    assert group_ids(catalogue(age=11, kind="camp", week_id=week1.pk)) == {groups[1, "old"].pk}
    assert catalogue(age=40) == []


def test_catalogue_hides_closed_seasons():
    closed = factories.SeasonFactory(
        opens_at=timezone.now() - timedelta(days=90),
        opens_at_nonresident=timezone.now() - timedelta(days=80),
        closes_at=timezone.now() - timedelta(days=1),
    )
    factories.GroupFactory(week=factories.WeekFactory(season=closed))
    assert catalogue() == []


def test_catalogue_items_carry_the_selector_availability(two_weeks):
    _, _, groups = two_weeks
    factories.RegistrationFactory(group=groups[1, "young"])
    factories.WaitlistEntryFactory(group=groups[1, "young"])
    item = next(i for w in catalogue() for i in w.items if i.group == groups[1, "young"])
    assert item.availability == Availability(capacity=20, taken=1, waiting=1)
