"""Reads compiled once (``portal.compiled``) return what the ORM returns, in one query each,
for every value and every shape; what cannot be compiled safely is refused."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.backends import USER_WITH_FAMILY, UserWithFamilyBackend
from accounts.models import Person, User
from activities.models import Group
from activities.selectors import group_availability, with_availability
from portal.compiled import CompiledQuery
from registrations.models import Order, Registration
from tests import factories

pytestmark = pytest.mark.django_db


def _values(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def test_the_user_comes_with_the_family_as_the_orm_gives_them(family):
    expected = User.objects.select_related("family").get(pk=family.user.pk)

    with CaptureQueriesContext(connection) as queries:
        user = USER_WITH_FAMILY.first(user_id=family.user.pk)
        loaded = user.family  # already there: no second query

    assert len(queries) == 1
    assert _values(user) == _values(expected)
    assert _values(loaded) == _values(expected.family)


def test_a_user_without_a_family_has_none_and_an_unknown_id_is_none(db):
    staff = factories.StaffFactory()

    user = USER_WITH_FAMILY.first(user_id=staff.pk)

    assert user.email == staff.email
    assert getattr(user, "family", None) is None
    assert USER_WITH_FAMILY.first(user_id=staff.pk + 10_000) is None


def test_the_same_read_answers_each_value_not_the_first_one(family):
    other = factories.FamilyFactory()

    assert USER_WITH_FAMILY.first(user_id=family.user.pk).family.pk == family.pk
    assert USER_WITH_FAMILY.first(user_id=other.user.pk).family.pk == other.pk


def test_the_backend_refuses_an_inactive_user_and_a_garbled_session_value(family):
    backend = UserWithFamilyBackend()
    assert backend.get_user(str(family.user.pk)).pk == family.user.pk
    User.objects.filter(pk=family.user.pk).update(is_active=False)

    assert backend.get_user(family.user.pk) is None
    assert backend.get_user("not-an-id") is None


def test_lists_of_any_length_dates_and_annotations_match_the_orm(db):
    now = timezone.now()
    groups = [factories.GroupFactory(capacity=n + 1) for n in range(4)]
    held = factories.RegistrationFactory(group=groups[0])
    Registration.objects.filter(pk=held.pk).update(
        status=Registration.Status.HELD, hold_expires_at=now + timedelta(minutes=5)
    )
    compiled = CompiledQuery(
        lambda *, ids, now: (
            with_availability(Group.objects.filter(pk__in=ids), now=now)
            .values_list("pk", "capacity", "taken")
            .order_by("pk")
        )
    )

    for ids in ([groups[0].pk], [g.pk for g in groups], [groups[3].pk, groups[0].pk]):
        for moment in (now, now + timedelta(minutes=10)):  # the hold counts, then it expired
            orm = with_availability(Group.objects.filter(pk__in=ids), now=moment)
            expected = list(orm.values_list("pk", "capacity", "taken").order_by("pk"))
            assert compiled.all(ids=ids, now=moment) == expected
    assert group_availability(group_ids=[groups[0].pk], now=now)[groups[0].pk].taken == 1
    assert group_availability(group_ids=[], now=now) == {}


def test_none_and_booleans_are_part_of_the_shape(family):
    compiled = CompiledQuery(
        lambda *, family_id, relationship: (
            Person.objects.filter(family=family_id).values_list("first_name", flat=True)
            if relationship is None
            else Person.objects.filter(family=family_id, relationship=relationship).values(
                "first_name"
            )
        )
    )

    everyone = compiled.all(family_id=family.pk, relationship=None)
    children = compiled.all(family_id=family.pk, relationship=Person.Relationship.CHILD)

    assert sorted(everyone) == sorted(family.persons.values_list("first_name", flat=True))
    assert sorted(row["first_name"] for row in children) == ["Léa", "Noah"]


def test_a_value_django_transforms_is_refused_at_compile_time(db):
    compiled = CompiledQuery(lambda *, name: Order.objects.filter(language__contains=name))

    with pytest.raises(ValueError, match="not found among the SQL parameters"):
        compiled.all(name="fr")


def test_sql_that_depends_on_the_values_is_refused(db):
    compiled = CompiledQuery(
        lambda *, n: (
            Group.objects.filter(capacity=n) if n < 30_500 else Group.objects.filter(max_age=n)
        )
    )

    with pytest.raises(ValueError, match="depends on the values"):
        compiled.all(n=3)


def test_prefetching_is_refused(family):
    compiled = CompiledQuery(
        lambda *, family_id: Person.objects.filter(family=family_id).prefetch_related("family")
    )

    with pytest.raises(ValueError, match="prefetch_related"):
        compiled.all(family_id=family.pk)


def test_rows_naming_the_same_related_object_share_it_with_the_values_the_orm_gives(db):
    """A child's groups name the same activity, week and season on many rows: each is built
    once per result, on each path of the select_related, with the ORM's values."""
    season = factories.SeasonFactory()
    week, next_week = (factories.WeekFactory(season=season, number=n) for n in (1, 2))
    activities = [factories.ActivityFactory() for _ in range(3)]
    groups = [factories.GroupFactory(week=week, activity=a) for a in activities]
    groups.append(factories.GroupFactory(week=next_week, activity=activities[0]))
    groups.append(factories.GroupFactory())  # another activity, week and season
    compiled = CompiledQuery(
        lambda *, ids: (
            Group.objects.filter(pk__in=ids)
            .select_related("activity", "week__season")
            .order_by("pk")
        )
    )
    ids = [g.pk for g in groups]
    orm = Group.objects.filter(pk__in=ids).select_related("activity", "week__season")

    with CaptureQueriesContext(connection) as queries:
        found = compiled.all(ids=ids)
        for group, expected in zip(found, orm.order_by("pk"), strict=True):
            assert _values(group) == _values(expected)
            assert _values(group.activity) == _values(expected.activity)
            assert _values(group.week) == _values(expected.week)
            assert _values(group.week.season) == _values(expected.week.season)
    assert len(queries) == 2  # the compiled read, and the ORM's for the comparison
    first, second, third, fourth, last = found
    assert second.week is first.week and third.week is first.week
    assert fourth.week is not first.week and fourth.week.season is first.week.season
    assert fourth.activity is first.activity and second.activity is not first.activity
    assert last.week.season is not first.week.season
    assert compiled.all(ids=ids)[0].week is not first.week  # per result, not per process


def test_values_the_field_converts_from_the_database_come_back_converted(db):
    # The health-insurance number is stored encrypted; its field decrypts it on the way out.
    from health.models import HealthForm
    from tests.health.factories import HealthFormFactory

    form = HealthFormFactory(health_insurance_number="TREM 1234 5678")
    by_id = CompiledQuery(lambda *, pk: HealthForm.objects.filter(pk=pk))
    numbers = CompiledQuery(
        lambda *, pk: HealthForm.objects.filter(pk=pk).values_list(
            "health_insurance_number", flat=True
        )
    )

    for _twice in range(2):  # compiled, then from the kept plan
        assert by_id.first(pk=form.pk).health_insurance_number == "TREM 1234 5678"
        assert numbers.all(pk=form.pk) == ["TREM 1234 5678"]


def test_a_compiled_delete_deletes_what_the_orm_would_for_each_value(db):
    from portal.compiled import CompiledDelete
    from registrations.models import Cart, CartItem

    families = [factories.FamilyFactory(), factories.FamilyFactory()]
    groups = factories.GroupFactory.create_batch(3)
    children = {}
    for family in families:
        cart = Cart.objects.create(family=family)
        children[family.pk] = child = factories.PersonFactory(family=family)
        CartItem.objects.bulk_create(
            CartItem(cart=cart, person=child, group=group) for group in groups
        )
    lines = CompiledDelete(  # ordered by its model: the DELETE leaves that out
        lambda *, family_id, person_id, group_ids: CartItem.objects.filter(
            cart__family=family_id, person=person_id, group__in=group_ids
        )
    )
    first, second = families

    def delete(family, group_list):
        return lines.delete(
            family_id=family.pk, person_id=children[family.pk].pk, group_ids=group_list
        )

    assert delete(first, [groups[0].pk, groups[1].pk]) == 2
    with CaptureQueriesContext(connection) as queries:
        assert delete(second, [groups[1].pk, groups[2].pk]) == 2  # the kept plan
        assert delete(second, [groups[1].pk, groups[2].pk]) == 0
    assert len(queries) == 2
    assert delete(first, []) == 0  # an empty IN: nothing to ask
    left = CartItem.objects.values_list("cart__family", "group")
    assert sorted(left) == sorted([(first.pk, groups[2].pk), (second.pk, groups[0].pk)])


def test_a_delete_django_would_collect_first_is_refused(family):
    from portal.compiled import CompiledDelete

    order = factories.OrderFactory(family=family)
    factories.RegistrationFactory(order=order)  # refers to the order

    with pytest.raises(ValueError, match="refer"):
        CompiledDelete(lambda *, pk: Order.objects.filter(pk=pk)).delete(pk=order.pk)
    assert Order.objects.filter(pk=order.pk).exists()
