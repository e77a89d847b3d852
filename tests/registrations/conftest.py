from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import Person
from activities.models import Activity
from tests import factories


@pytest.fixture
def season(db):
    return factories.SeasonFactory()


@pytest.fixture
def opening_soon(season):
    """Residents open in 10 minutes: the room (30 minutes before) is open."""
    season.opens_at = timezone.now() + timedelta(minutes=10)
    season.opens_at_nonresident = timezone.now() + timedelta(days=7)
    season.save()
    return season


@pytest.fixture
def week(season):
    return factories.WeekFactory(season=season, number=1)


@pytest.fixture
def week2(season):
    return factories.WeekFactory(season=season, number=2)


@pytest.fixture
def camp(week):
    return factories.GroupFactory(
        week=week, activity=factories.ActivityFactory(name="Camp Aventure"), capacity=10
    )


@pytest.fixture
def other_camp(week):
    return factories.GroupFactory(
        week=week, activity=factories.ActivityFactory(name="Camp Sciences"), capacity=10
    )


@pytest.fixture
def daycare(week):
    activity = factories.ActivityFactory(kind=Activity.Kind.DAYCARE, name="Service de garde")
    return factories.GroupFactory(
        week=week, activity=activity, price_resident=40, price_nonresident=60
    )


@pytest.fixture
def transport(week):
    activity = factories.ActivityFactory(kind=Activity.Kind.TRANSPORT, name="Transport à vélo")
    return factories.GroupFactory(
        week=week, activity=activity, price_resident=25, price_nonresident=35
    )


@pytest.fixture
def lea(family) -> Person:
    return family.persons.get(first_name="Léa")


@pytest.fixture
def noah(family) -> Person:
    return family.persons.get(first_name="Noah")


@pytest.fixture
def toddler(family) -> Person:
    return factories.PersonFactory(family=family, first_name="Bébé", birth_date=date(2025, 1, 1))
