"""The cached catalogue never shows a place as free more than a second after it was taken:
one process renders a page about once a second for all, and a week's section is keyed by
what it shows, the places left filling a hole of their own."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from activities import catalogue_cache
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


def test_a_taken_place_shows_within_a_second_and_full_shows_complet(client, camp):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert "2 places restantes" in page(client)
        factories.RegistrationFactory(group=camp)
        clock.shift(timedelta(seconds=1))
        assert "1 place restante" in page(client)
        factories.RegistrationFactory(group=camp)
        assert "1 place restante" in page(client)  # the same second: at most a second behind
        clock.shift(timedelta(seconds=1))
        assert "Complet" in page(client)


def test_a_taken_place_renders_no_week_again(client, camp, monkeypatch):
    rendered = []
    sections = catalogue_cache._sections
    original = sections.render
    monkeypatch.setattr(
        sections, "render", lambda *a, **kw: rendered.append(1) or original(*a, **kw)
    )
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert "2 places restantes" in page(client)
        kept = len(sections)
        factories.RegistrationFactory(group=camp)
        clock.shift(timedelta(seconds=1))
        assert "1 place restante" in page(client)
    assert len(rendered) == 2 and len(sections) == kept  # the same section, its hole refilled


def test_a_signed_in_parent_and_an_htmx_filter_see_the_same_second(client, camp, family):
    client.force_login(family.user)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert "2 places restantes" in page(client)
        factories.RegistrationFactory(group=camp)
        clock.shift(timedelta(seconds=1))
        partial = client.get(URL, headers={"HX-Request": "true", "accept-language": "fr"})
        assert "1 place restante" in partial.content.decode()


def test_an_expired_hold_frees_its_place_without_any_write(client, camp):
    factories.RegistrationFactory(
        group=camp, status="held", hold_expires_at=timezone.now() + timedelta(minutes=5)
    )
    assert "1 place restante" in page(client)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert "2 places restantes" in page(client)


def test_staff_edits_to_names_prices_and_capacity_show_within_a_second(client, camp):
    page(client)
    camp.activity.name = "Camp Explorateurs"
    camp.activity.save()
    camp.price_resident = 199
    camp.capacity = 5
    camp.save()
    with time_machine.travel(timezone.now() + timedelta(seconds=1)):
        html = page(client)
    assert "Camp Explorateurs" in html and "Camp Aventure" not in html
    assert "199,00" in html and "5 places restantes" in html


def test_each_language_gets_its_own_rendering(client, camp):
    assert "places restantes" in page(client)
    english = client.get(URL, headers={"accept-language": "en"}).content.decode()
    assert "places left" in english


def test_a_visitor_accepting_gzip_gets_the_same_page_compressed_once(client, camp):
    import gzip

    plain = client.get(URL, headers={"accept-language": "fr"}).content
    packed = client.get(URL, headers={"accept-language": "fr", "accept-encoding": "gzip, br"})
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain
    assert "Accept-Encoding" in packed["Vary"]
