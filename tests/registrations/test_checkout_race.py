"""A real race on PostgreSQL: many families check out the last places of a group at once."""

import threading

import pytest
from django.db import connection

from portal import locking
from registrations import services
from registrations.models import Registration
from registrations.services import payment_flow
from tests import factories
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)

FAMILIES = 6
PLACES_LEFT = 2


@pytest.fixture
def crowd():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent connections need PostgreSQL")
    camp = factories.GroupFactory(capacity=PLACES_LEFT + 3)
    for _ in range(3):  # places already sold
        factories.RegistrationFactory(group=camp)
    families = []
    for _ in range(FAMILIES):
        family = factories.FamilyFactory()
        child = factories.PersonFactory(family=family)
        services.add_to_cart(family=family, person=child, groups=[camp])
        families.append(family)
    return camp, families


def run_at_once(families):
    """Every family presses « Payer » at the same instant, each on its own connection."""
    results, errors = run_concurrently(lambda family: services.checkout(family=family), families)
    assert not errors, errors
    return results


def held_in(camp) -> int:
    return Registration.objects.filter(group=camp, status=Registration.Status.HELD).count()


def test_exactly_the_last_places_are_held_and_the_others_are_told_full(crowd):
    camp, families = crowd
    results = run_at_once(families)
    assert held_in(camp) == PLACES_LEFT
    winners = [r for r in results if r.order is not None]
    losers = [r for r in results if r.order is None]
    assert len(winners) == PLACES_LEFT
    assert len(losers) == FAMILIES - PLACES_LEFT
    assert all(refusal.code == "full" for r in losers for _item, refusal in r.refused)


def test_control_without_locks_oversells_so_the_test_can_see_a_race(crowd, monkeypatch):
    camp, families = crowd
    monkeypatch.setattr(locking, "LOCKING_ENABLED", False)
    # Every checkout reads availability before any of them writes: the worst interleaving.
    read_barrier = threading.Barrier(len(families))
    real_availability = payment_flow.group_availability

    def availability_then_wait(**kwargs):
        result = real_availability(**kwargs)
        read_barrier.wait(timeout=10)
        return result

    monkeypatch.setattr(payment_flow, "group_availability", availability_then_wait)
    run_at_once(families)
    assert held_in(camp) > PLACES_LEFT  # oversold: exactly what the locks prevent
