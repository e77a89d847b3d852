"""Receipt numbers under real concurrency (PostgreSQL): payments at once, no duplicate, no gap."""

import pytest
from django.db import connection

from registrations import services
from registrations.models import Receipt, ReceiptCounter
from tests import factories
from tests.concurrency import run_concurrently

from .helpers import pay

pytestmark = pytest.mark.django_db(transaction=True)

PAYMENTS = 4


def test_payments_at_once_get_consecutive_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent connections need PostgreSQL")
    camp = factories.GroupFactory(capacity=PAYMENTS)
    orders = []
    for _ in range(PAYMENTS):
        family = factories.FamilyFactory()
        child = factories.PersonFactory(family=family)
        services.add_to_cart(family=family, person=child, groups=[camp])
        orders.append(services.checkout(family=family).order)
    results, errors = run_concurrently(pay, orders)
    assert not errors, errors
    assert results == ["confirmed"] * PAYMENTS
    sequences = sorted(Receipt.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, PAYMENTS + 1))
    assert ReceiptCounter.objects.get().last == PAYMENTS
