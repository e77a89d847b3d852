"""The lookup compiled once (``portal.compiled``) returns what the ORM returns, in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import USER_WITH_FAMILY, UserWithFamilyBackend
from accounts.models import User
from activities.models import Group
from portal.compiled import CompiledLookup
from tests import factories

pytestmark = pytest.mark.django_db


def _values(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def test_the_user_comes_with_the_family_as_the_orm_gives_them(family):
    expected = User.objects.select_related("family").get(pk=family.user.pk)

    with CaptureQueriesContext(connection) as queries:
        user = USER_WITH_FAMILY.first(family.user.pk)
        loaded = user.family  # already there: no second query

    assert len(queries) == 1
    assert _values(user) == _values(expected)
    assert _values(loaded) == _values(expected.family)


def test_a_user_without_a_family_has_none_and_an_unknown_id_is_none(db):
    staff = factories.StaffFactory()

    user = USER_WITH_FAMILY.first(staff.pk)

    assert user.email == staff.email
    assert getattr(user, "family", None) is None
    assert USER_WITH_FAMILY.first(staff.pk + 10_000) is None


def test_the_same_lookup_answers_each_value_not_the_first_one(family):
    other = factories.FamilyFactory()

    assert USER_WITH_FAMILY.first(family.user.pk).family.pk == family.pk
    assert USER_WITH_FAMILY.first(other.user.pk).family.pk == other.pk


def test_the_backend_refuses_an_inactive_user_and_a_garbled_session_value(family):
    backend = UserWithFamilyBackend()
    assert backend.get_user(str(family.user.pk)).pk == family.user.pk
    User.objects.filter(pk=family.user.pk).update(is_active=False)

    assert backend.get_user(family.user.pk) is None
    assert backend.get_user("not-an-id") is None


def test_a_lookup_with_other_parameters_is_refused_at_compile_time(db):
    group = factories.GroupFactory()
    lookup = CompiledLookup(lambda pk: Group.objects.filter(pk=pk, capacity__gte=1))

    with pytest.raises(ValueError, match="one parameter"):
        lookup.first(group.pk)
