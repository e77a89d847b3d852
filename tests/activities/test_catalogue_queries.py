"""The catalogue page costs the same number of queries for 10 groups as for 300."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities import catalogue_cache
from activities.models import Activity, Group
from registrations.models import Registration
from tests import factories

pytestmark = pytest.mark.django_db


def build_catalogue(*, weeks: int, activities: int) -> None:
    season = factories.SeasonFactory()
    week_rows = [factories.WeekFactory(season=season, number=n + 1) for n in range(weeks)]
    kinds = list(Activity.Kind.values)
    activity_rows = [
        factories.ActivityFactory(kind=kinds[n % len(kinds)]) for n in range(activities)
    ]
    Group.objects.bulk_create(
        Group(activity=a, week=w, capacity=3, price_resident=185, price_nonresident=260)
        for w in week_rows
        for a in activity_rows
    )
    # Some occupancy and waiting so the counts are not trivially zero.
    order = factories.OrderFactory()
    family = order.family
    for group in Group.objects.order_by("pk")[:3]:
        for status in (Registration.Status.CONFIRMED, Registration.Status.HELD):
            person = factories.PersonFactory(family=family)
            factories.RegistrationFactory(group=group, order=order, person=person, status=status)
        person = factories.PersonFactory(family=family)
        factories.WaitlistEntryFactory(group=group, family=family, person=person)


def queries_for_catalogue(client, **params) -> int:
    client.get(reverse("activities:catalogue"), params)  # warm caches (sessions, translations)
    catalogue_cache.forget()  # measure a rendering, not the second-long copy
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("activities:catalogue"), params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"age": "8", "kind": "camp"}])
def test_query_count_is_the_same_for_10_and_300_groups(client, params):
    build_catalogue(weeks=2, activities=5)
    assert Group.objects.count() == 10
    small = queries_for_catalogue(client, **params)

    build_catalogue(weeks=10, activities=29)
    assert Group.objects.count() == 300
    large = queries_for_catalogue(client, **params)

    assert small == large
    assert large <= 6


def test_query_count_with_a_week_filter_is_constant_too(client):
    build_catalogue(weeks=2, activities=5)
    week = Group.objects.first().week
    small = queries_for_catalogue(client, week=str(week.pk))
    build_catalogue(weeks=10, activities=29)
    assert queries_for_catalogue(client, week=str(week.pk)) == small


def test_within_the_same_second_the_catalogue_costs_no_query(client):
    build_catalogue(weeks=2, activities=5)
    client.get(reverse("activities:catalogue"))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("activities:catalogue")).status_code == 200
    assert len(ctx.captured_queries) == 0
