"""Under load a checkout holds a group's lock for a moment: adding to a cart and joining a
waiting list must never answer 500 behind it, and inserting several cart rows must never
deadlock against checkouts (PostgreSQL, real connections)."""

import psycopg
import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from activities.models import Activity
from registrations import services
from registrations.models import CartItem, Registration
from tests import factories
from tests.concurrency import run_concurrently
from waitlist.models import WaitlistEntry

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres():
    if connections["default"].vendor != "postgresql":
        pytest.skip("lock waits need PostgreSQL (set DATABASE_URL)")


def other_connection(settings) -> psycopg.Connection:
    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        dbname=db["NAME"],
        password=db["PASSWORD"] or None,
        autocommit=False,
    )


def short_lock_timeout() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SET lock_timeout = '300ms'")


def test_add_to_cart_and_waitlist_join_go_through_while_a_checkout_holds_the_group(
    postgres, settings
):
    camp = factories.GroupFactory(capacity=1)
    full = factories.GroupFactory(week=camp.week, capacity=0)
    family = factories.FamilyFactory()
    child = factories.PersonFactory(family=family)
    client = Client()
    client.force_login(family.user)
    checkout = other_connection(settings)
    try:
        # What checkout takes: the groups' rows, FOR NO KEY UPDATE, until its commit.
        checkout.execute(
            "SELECT id FROM activities_group WHERE id IN (%s, %s) FOR NO KEY UPDATE",
            [camp.pk, full.pk],
        )
        short_lock_timeout()
        added = client.post(
            reverse("registrations:register"),
            {"person": child.pk, "groups": [camp.pk]},
            headers={"HX-Request": "true"},
        )
        joined = client.post(
            reverse("waitlist:join"), {"person": child.pk, "group": full.pk, "inline": "1"}
        )
    finally:
        checkout.rollback()
        checkout.close()
    assert added.status_code == 200 and joined.status_code < 500
    assert CartItem.objects.filter(group=camp, person=child).exists()
    assert WaitlistEntry.objects.filter(group=full, person=child).exists()


def test_behind_the_familys_own_checkout_add_to_cart_answers_busy_not_500(postgres, settings):
    camp = factories.GroupFactory()
    camp2 = factories.GroupFactory(week=factories.WeekFactory(season=camp.week.season))
    family = factories.FamilyFactory()
    child = factories.PersonFactory(family=family)
    services.add_to_cart(family=family, person=child, groups=[camp])
    client = Client()
    client.force_login(family.user)
    cart_lock = other_connection(settings)
    try:
        # A transaction that holds the cart row itself (a full FOR UPDATE).
        cart_lock.execute(
            "SELECT id FROM registrations_cart WHERE family_id = %s FOR UPDATE", [family.pk]
        )
        short_lock_timeout()
        response = client.post(
            reverse("registrations:register"),
            {"person": child.pk, "groups": [camp2.pk]},
            headers={"HX-Request": "true", "accept-language": "fr"},
        )
    finally:
        cart_lock.rollback()
        cart_lock.close()
    assert response.status_code == 204 and "HX-Redirect" in response.headers
    assert not CartItem.objects.filter(group=camp2).exists()


def test_multi_row_cart_inserts_never_deadlock_against_checkouts(postgres):
    """Families add a camp and its services (several rows, in group order) while other
    families check out the same groups: no deadlock, no error, no oversold group."""
    week = factories.WeekFactory()
    camp = factories.GroupFactory(week=week, capacity=4)
    daycare = factories.GroupFactory(
        week=week, activity=factories.ActivityFactory(kind=Activity.Kind.DAYCARE), capacity=4
    )
    bike = factories.GroupFactory(
        week=week, activity=factories.ActivityFactory(kind=Activity.Kind.TRANSPORT), capacity=4
    )
    groups = [bike, daycare, camp]  # deliberately not in id order
    families = []
    for _ in range(8):
        family = factories.FamilyFactory()
        families.append((family, factories.PersonFactory(family=family)))
    for family, child in families[:4]:
        services.add_to_cart(family=family, person=child, groups=groups)

    def act(pair):
        family, child = pair
        if CartItem.objects.filter(cart__family=family).exists():
            return services.checkout(family=family)
        return services.add_to_cart(family=family, person=child, groups=groups)

    _outcomes, errors = run_concurrently(act, families)
    assert not errors, errors
    for group in groups:
        held = Registration.objects.filter(group=group, status="held").count()
        assert held <= group.capacity
    assert CartItem.objects.filter(cart__family__in=[f for f, _c in families[4:]]).count() == 12
