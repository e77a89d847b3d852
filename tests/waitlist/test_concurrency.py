"""Two staff members promote two families for one free place at the same moment."""

import threading

import pytest
from django.db import connection

from portal.errors import DomainError
from registrations.models import Order
from tests.concurrency import run_concurrently
from waitlist.models import WaitlistEntry
from waitlist.services import offer_place

from .conftest import free_a_place, waiting_entry


@pytest.mark.django_db(transaction=True)
def test_two_staff_promoting_for_one_free_place_give_one_offer_and_one_clear_refusal(
    full_group,
):
    if connection.vendor != "postgresql":
        pytest.skip("real row locks need PostgreSQL (set DATABASE_URL)")
    entries = [waiting_entry(full_group), waiting_entry(full_group)]
    free_a_place(full_group)

    def promote(entry: WaitlistEntry) -> object:
        try:
            return offer_place(entry=entry)
        except DomainError as refusal:
            return refusal

    outcomes, errors = run_concurrently(promote, entries)
    assert not errors, errors

    offers = [o for o in outcomes if isinstance(o, Order)]
    refusals = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(offers) == 1 and len(refusals) == 1, outcomes
    assert refusals[0].code == "full"
    assert WaitlistEntry.objects.filter(status="offered").count() == 1
    assert Order.objects.filter(source=Order.Source.WAITLIST_OFFER).count() == 1


@pytest.mark.django_db(transaction=True)
def test_control_without_the_group_lock_the_same_race_overbooks(full_group, monkeypatch):
    """Proves the race test can see a race: with no lock both read "1 free" and both offer."""
    if connection.vendor != "postgresql":
        pytest.skip("real row locks need PostgreSQL (set DATABASE_URL)")
    from portal import locking
    from registrations.services import payment_flow

    entries = [waiting_entry(full_group), waiting_entry(full_group)]
    free_a_place(full_group)
    both_have_read = threading.Barrier(len(entries))
    real_availability = payment_flow.group_availability

    def read_then_wait(**kwargs):
        places = real_availability(**kwargs)
        both_have_read.wait(timeout=10)
        return places

    monkeypatch.setattr(locking, "LOCKING_ENABLED", False)
    monkeypatch.setattr(payment_flow, "group_availability", read_then_wait)
    # No start barrier: the threads meet at the read barrier above, the worst interleaving.
    outcomes, errors = run_concurrently(
        lambda entry: offer_place(entry=entry), entries, start_together=False
    )
    assert not errors, errors

    assert len([o for o in outcomes if isinstance(o, Order)]) == 2
