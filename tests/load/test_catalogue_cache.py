"""The cached catalogue weeks never show stale places: the cache key is what they show."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from tests import factories

pytestmark = pytest.mark.django_db
URL = reverse("activities:catalogue")


@pytest.fixture
def camp(db):
    week = factories.WeekFactory(season=factories.SeasonFactory(), number=1)
    activity = factories.ActivityFactory(kind=Activity.Kind.CAMP, name="Camp Aventure")
    return factories.GroupFactory(week=week, activity=activity, capacity=2)


def page(client) -> str:
    return client.get(URL, headers={"accept-language": "fr"}).content.decode()


def test_a_new_registration_shows_at_once(client, camp):
    assert "2 places restantes" in page(client)
    factories.RegistrationFactory(group=camp)
    assert "1 place restante" in page(client)
    factories.RegistrationFactory(group=camp)
    assert "Complet" in page(client)


def test_an_expired_hold_frees_its_place_without_any_write(client, camp):
    factories.RegistrationFactory(
        group=camp, status="held", hold_expires_at=timezone.now() + timedelta(minutes=5)
    )
    assert "1 place restante" in page(client)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert "2 places restantes" in page(client)


def test_staff_edits_to_names_prices_and_capacity_show_at_once(client, camp):
    page(client)
    camp.activity.name = "Camp Explorateurs"
    camp.activity.save()
    camp.price_resident = 199
    camp.capacity = 5
    camp.save()
    html = page(client)
    assert "Camp Explorateurs" in html and "Camp Aventure" not in html
    assert "199,00" in html and "5 places restantes" in html


def test_each_language_gets_its_own_rendering(client, camp):
    assert "places restantes" in page(client)
    english = client.get(URL, headers={"accept-language": "en"}).content.decode()
    assert "places left" in english
