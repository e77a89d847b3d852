"""A real race on PostgreSQL for the last place of a group while a family waits for it:
a late payment, another family's checkout and the waiting list's sweep, all at once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from activities.selectors import group_availability
from portal.errors import DomainError
from registrations import services
from registrations.models import Order
from tests import factories
from tests.concurrency import run_concurrently
from waitlist.models import WaitlistEntry
from waitlist.services import serve_waiting_lines

from .helpers import pay

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def last_place():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent connections need PostgreSQL")
    camp = factories.GroupFactory(capacity=1)
    camp.week.season.auto_promote = True
    camp.week.season.save()
    late_family = factories.FamilyFactory()
    child = factories.PersonFactory(family=late_family)
    services.add_to_cart(family=late_family, person=child, groups=[camp])
    late = services.checkout(family=late_family, now=timezone.now() - timedelta(hours=1)).order
    waiting = factories.WaitlistEntryFactory(group=camp)  # in line once the hold ran out
    shopper = factories.FamilyFactory()
    services.add_to_cart(
        family=shopper, person=factories.PersonFactory(family=shopper), groups=[camp]
    )
    return camp, late, waiting, shopper


def attempt(step):
    try:
        return step()
    except DomainError as refusal:  # « occupé, réessayez » is an answer, not a failure
        return refusal


@pytest.mark.parametrize("round_", range(3))
def test_the_waiting_line_gets_the_last_place_and_nobody_oversells(last_place, round_):
    camp, late, waiting, shopper = last_place
    steps = [
        lambda: pay(late),
        lambda: services.checkout(family=shopper),
        lambda: serve_waiting_lines(),
    ]
    _outcomes, errors = run_concurrently(attempt, steps)
    assert not errors, errors
    serve_waiting_lines()  # the next beat, in case the sweep ran before the place was free

    places = group_availability(group_ids=[camp.pk])[camp.pk]
    assert places.taken <= camp.capacity
    late.refresh_from_db()
    waiting.refresh_from_db()
    assert late.status == Order.Status.REFUNDED  # the public never passes the line
    assert not Order.objects.filter(family=shopper).exclude(status="cancelled").exists()
    assert waiting.status == WaitlistEntry.Status.OFFERED
    assert places.taken == 1  # the offer holds it
