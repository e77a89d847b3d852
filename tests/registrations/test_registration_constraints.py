"""Invariant 4 held by the database itself: a child at most once per group and in at most
one camp per week, whatever code writes the row; a cancelled line no longer counts."""

import pytest
from django.db import connection

from registrations.models import Registration
from tests import factories
from tests.constraints import refused

pytestmark = pytest.mark.django_db


def test_a_child_is_in_a_group_once_until_that_line_is_cancelled():
    first = factories.RegistrationFactory()
    again = {"order": first.order, "person": first.person, "group": first.group}
    assert refused(lambda: factories.RegistrationFactory(**again))
    first.status = Registration.Status.CANCELLED
    first.save()
    assert not refused(lambda: factories.RegistrationFactory(**again))


def test_a_child_has_one_camp_a_week():
    first = factories.RegistrationFactory()
    other_camp = factories.GroupFactory(week=first.group.week, activity__kind="camp")
    assert refused(
        lambda: factories.RegistrationFactory(
            order=first.order, person=first.person, group=other_camp
        )
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's index (CI sets it)")
def test_the_once_per_group_index_reads_a_group_by_itself():
    """The group comes first in the unique index, so counting a group's places reads only
    that group's entries even when the planner picks this index (on statistics taken while
    the table was empty, it did, and read the whole index for each group)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'registration_once_per_group'"
        )
        (definition,) = cursor.fetchone()
    assert "(group_id, person_id)" in definition
