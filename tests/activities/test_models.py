"""Each database constraint of the catalogue refuses bad rows by itself."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from activities.models import Group, Week
from tests import factories
from tests.constraints import refused

pytestmark = pytest.mark.django_db


def test_season_must_close_after_it_opens():
    opens = factories.SeasonFactory.build().opens_at
    assert refused(lambda: factories.SeasonFactory(opens_at=opens, closes_at=opens))


def test_week_number_is_unique_in_its_season():
    week = factories.WeekFactory(number=1)
    assert refused(lambda: factories.WeekFactory(season=week.season, number=1))


def test_week_cannot_end_before_it_starts():
    assert refused(
        lambda: factories.WeekFactory(starts_on=date(2027, 7, 5), ends_on=date(2027, 7, 4))
    )


def test_one_group_per_activity_and_week():
    group = factories.GroupFactory()
    assert refused(lambda: factories.GroupFactory(activity=group.activity, week=group.week))


@pytest.mark.parametrize(
    "field, value",
    [("price_resident", Decimal("-1")), ("price_nonresident", Decimal("-0.01"))],
)
def test_group_prices_cannot_be_negative(field, value):
    assert refused(lambda: factories.GroupFactory(**{field: value}))


def test_group_capacity_cannot_be_negative():
    group = factories.GroupFactory()
    # PositiveIntegerField adds its own check; the named constraint must hold too.
    assert refused(lambda: Group.objects.filter(pk=group.pk).update(capacity=-1))


def test_group_minimum_age_cannot_exceed_maximum_age():
    assert refused(lambda: factories.GroupFactory(min_age=9, max_age=8))


def test_week_label_reads_like_the_paper_program(settings):
    from django.utils import translation

    week = Week(number=1, starts_on=date(2027, 6, 28), ends_on=date(2027, 6, 28) + timedelta(4))
    with translation.override("fr"):
        assert week.label == "Semaine 1 : 28 juin au 2 juillet"
    with translation.override("en"):
        assert week.label == "Week 1: June 28 to July 2"
