"""Accompaniment requests: before the season's deadline, decided by a clerk, seen by all."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from health.models import AccompanimentRequest
from health.services import HealthRefused, request_accompaniment
from tests.factories import FamilyFactory, RegistrationFactory, SeasonFactory, WeekFactory

from .factories import AccompanimentRequestFactory, SeasonHealthPolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def season(db):
    season = SeasonFactory()
    WeekFactory(season=season, number=1, starts_on=date(2027, 6, 28), ends_on=date(2027, 7, 2))
    return season


@pytest.fixture
def child(family):
    return family.persons.get(first_name="Noah")


def url(child, season) -> str:
    return reverse("health:accompaniment", args=[child.pk, season.pk])


def test_family_asks_before_the_deadline(parent_client, child, season):
    SeasonHealthPolicyFactory(
        season=season, accompaniment_deadline=timezone.now() + timedelta(days=3)
    )

    response = parent_client.post(url(child, season), {"needs": "TDAH, a besoin de pauses."})

    assert response.status_code == 302
    request = AccompanimentRequest.objects.get(person=child, season=season)
    assert request.status == AccompanimentRequest.Status.SUBMITTED


def test_a_request_after_the_deadline_is_refused_with_the_date(parent_client, child, season):
    deadline = timezone.make_aware(timezone.datetime(2027, 4, 30, 17, 0))
    SeasonHealthPolicyFactory(season=season, accompaniment_deadline=deadline)

    with pytest.raises(HealthRefused) as refused:
        request_accompaniment(
            person=child, season=season, needs="x", now=deadline + timedelta(minutes=1)
        )

    assert refused.value.code == "deadline"
    assert "30 avril 2027" in str(refused.value.message)


def test_the_page_shows_the_deadline_refusal(parent_client, child, season):
    SeasonHealthPolicyFactory(
        season=season, accompaniment_deadline=timezone.now() - timedelta(days=1)
    )

    response = parent_client.post(url(child, season), {"needs": "Besoins"})

    assert response.status_code == 200
    assert "ont pris fin le" in response.content.decode()
    assert not AccompanimentRequest.objects.exists()


def test_another_familys_child_is_404(client, child, season):
    client.force_login(FamilyFactory().user)

    assert client.post(url(child, season), {"needs": "x"}).status_code == 404


def test_clerk_decision_reaches_the_family_file_and_the_roster(
    parent_client, staff_user, child, season
):
    from django.test import Client

    staff_client = Client()
    staff_client.force_login(staff_user)
    request = AccompanimentRequestFactory(person=child, season=season)
    group = RegistrationFactory(
        order__family=child.family, person=child, group__week=season.weeks.get()
    ).group
    change = reverse("admin:health_accompanimentrequest_change", args=[request.pk])

    staff_client.post(change, {"status": "accepted", "staff_note": "Accompagnatrice : Julie"})

    request.refresh_from_db()
    assert request.status == "accepted" and request.decided_by is not None
    dossier = parent_client.get(reverse("accounts:dossier")).content.decode()
    assert "Acceptée" in dossier and "Accompagnatrice : Julie" in dossier
    page = staff_client.get(reverse("admin:camp_grouppage_change", args=[group.pk]))
    assert "Accompagnement" in page.content.decode()


def test_declining_without_a_note_is_refused_in_the_admin(staff_client, child, season):
    request = AccompanimentRequestFactory(person=child, season=season)
    change = reverse("admin:health_accompanimentrequest_change", args=[request.pk])

    response = staff_client.post(change, {"status": "declined", "staff_note": ""})

    assert response.status_code == 200  # the form again, with the error
    request.refresh_from_db()
    assert request.status == "submitted"


def test_a_decided_request_cannot_be_changed_by_the_family(child, season):
    AccompanimentRequestFactory(person=child, season=season, status="declined", staff_note="Non")

    with pytest.raises(HealthRefused) as refused:
        request_accompaniment(person=child, season=season, needs="Encore")

    assert refused.value.code == "decided"
