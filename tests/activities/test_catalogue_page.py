"""The public catalogue: anonymous browsing, filters, htmx partial, bad input, places left."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from activities.models import Activity
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("activities:catalogue")


@pytest.fixture
def week1():
    season = factories.SeasonFactory(name="Camps de jour — Été 2027")
    return factories.WeekFactory(
        season=season, number=1, starts_on=date(2027, 6, 28), ends_on=date(2027, 7, 2)
    )


@pytest.fixture
def camp(week1):
    return factories.GroupFactory(
        week=week1,
        activity=factories.ActivityFactory(name="Camp Aventure 5-7 ans"),
        capacity=5,
        min_age=5,
        max_age=7,
        price_resident=Decimal("185.00"),
        price_nonresident=Decimal("260.00"),
    )


@pytest.fixture
def daycare(week1):
    return factories.GroupFactory(
        week=week1,
        activity=factories.ActivityFactory(name="Service de garde", kind=Activity.Kind.DAYCARE),
        capacity=1,
        min_age=5,
        max_age=13,
    )


def get(client, params=None, **headers):
    return client.get(URL, params or {}, headers={"accept-language": "fr", **headers})


def test_anonymous_visitor_sees_groups_grouped_by_week_in_french(client, camp):
    response = get(client)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<h3 id="week-{camp.week.pk}">Semaine 1 : 28 juin au 2 juillet</h3>' in html
    assert "Camp Aventure 5-7 ans" in html
    assert "5 à 7 ans" in html
    assert "185,00\u00a0$" in html
    assert "260,00\u00a0$" in html
    assert "5 places restantes" in html


def test_places_left_are_plural_aware_and_count_waiting_entries(client, camp):
    for _ in range(3):
        factories.RegistrationFactory(group=camp)
    factories.WaitlistEntryFactory(group=camp)
    assert "1 place restante" in get(client).content.decode()


def test_full_group_says_full_with_waiting_list(client, daycare):
    factories.RegistrationFactory(group=daycare)
    html = get(client).content.decode()
    assert "Complet – liste d&#x27;attente" in html or "Complet – liste d'attente" in html


def test_register_link_carries_the_week_and_group(client, camp):
    html = get(client).content.decode()
    expected = f"{reverse('registrations:register')}?week={camp.week.pk}&amp;group={camp.pk}"
    assert f'href="{expected}"' in html
    assert "S&#x27;inscrire" in html or "S'inscrire" in html


def test_english_visitor_sees_prices_in_english(client, camp):
    with translation.override("en"):
        response = client.get(URL, headers={"accept-language": "en"})
    html = response.content.decode()
    assert "$185.00" in html
    assert "Week 1: June 28 to July 2" in html


def test_filters_by_age_and_kind_keep_only_matching_groups(client, camp, daycare):
    html = get(client, {"age": "10"}).content.decode()
    assert "Service de garde" in html
    assert "Camp Aventure 5-7 ans" not in html
    html = get(client, {"kind": "camp"}).content.decode()
    assert "Camp Aventure 5-7 ans" in html
    assert "Service de garde</h4>" not in html


def test_filter_by_week(client, camp):
    other_week = factories.WeekFactory(season=camp.week.season, number=2)
    factories.GroupFactory(week=other_week, activity=factories.ActivityFactory(name="Camp Nature"))
    html = get(client, {"week": str(other_week.pk)}).content.decode()
    assert "Camp Nature" in html
    assert "Camp Aventure 5-7 ans" not in html


def test_filter_form_works_without_javascript_and_keeps_values(client, camp):
    html = get(client, {"age": "6", "kind": "camp"}).content.decode()
    assert 'method="get"' in html
    assert 'name="age" value="6"' in html
    assert '<option value="camp" selected>' in html
    assert "<html" in html


def test_htmx_request_gets_only_the_results(client, camp):
    response = get(client, {"age": "6"}, **{"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "<form" not in html
    assert "Camp Aventure 5-7 ans" in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client, camp):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert "<html" in get(client, **headers).content.decode()


def test_form_targets_results_with_htmx_and_pushes_the_url(client, camp):
    html = get(client).content.decode()
    assert f'hx-get="{URL}"' in html
    assert 'hx-target="#catalogue-results"' in html
    assert 'hx-push-url="true"' in html
    assert 'id="catalogue-results"' in html


@pytest.mark.parametrize(
    "params",
    [{"age": "abc"}, {"age": "-3"}, {"week": "999999"}, {"week": "x"}, {"kind": "zoo"}],
)
def test_bad_filter_gives_a_clear_message_never_an_error(client, camp, params):
    for headers in ({}, {"HX-Request": "true"}):
        response = get(client, params, **headers)
        html = response.content.decode()
        assert response.status_code == 200
        assert 'role="alert"' in html
        assert "Certains filtres" in html
        # The bad filter is ignored, the rest of the catalogue still shows.
        assert "Camp Aventure 5-7 ans" in html


def test_bad_age_does_not_discard_a_good_kind_filter(client, camp, daycare):
    html = get(client, {"age": "abc", "kind": "daycare"}).content.decode()
    assert "Service de garde</h4>" in html
    assert "Camp Aventure 5-7 ans" not in html


def test_no_match_says_so(client, camp):
    assert "Aucun groupe ne correspond" in get(client, {"age": "40"}).content.decode()


def test_logged_in_parent_sees_the_catalogue_too(parent_client, camp):
    assert get(parent_client).status_code == 200
