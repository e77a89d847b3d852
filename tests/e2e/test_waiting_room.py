"""Opening night in a browser: a family waits in « Salle d'attente » while another holds the
only pass; when that pass lapses, the page's own refresh takes the family to its cart."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal import waiting_room as queue_module
from registrations import waiting_room as gate
from tests import factories

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_required")]


def test_a_family_waits_then_is_admitted_when_a_place_frees(page):
    season = factories.SeasonFactory(
        opens_at=timezone.now() - timedelta(minutes=1),
        opens_at_nonresident=timezone.now() + timedelta(days=7),
        max_active_families=1,
    )
    room = gate.season_opening(season, is_resident=True).room
    queue = queue_module.get_queue()
    other = factories.FamilyFactory()
    assert queue.check_in(room, str(other.user.pk), now=timezone.now().timestamp()).state == (
        queue_module.State.ACTIVE
    )

    family = factories.FamilyFactory()
    factories.PersonFactory(family=family, first_name="Léa")
    login(page, family.user.email, factories.PASSWORD)
    page.goto("/inscription/panier/")

    expect(page.get_by_role("heading", name="Salle d'attente", exact=True)).to_be_visible()
    expect(page.locator("#waiting-status")).to_contain_text("Votre place dans la file : 1 sur 1.")
    expect(page.locator("#waiting-status")).to_contain_text("Attente estimée")
    assert_accessible(page)

    # The other family goes quiet: its pass is now older than the idle time.
    active_key = queue.keys(room.key)[1]
    queue.client.zadd(active_key, {str(other.user.pk): 0})

    # The next refresh admits this family and htmx takes it to its cart. The page says when
    # it asks again (2 to 30 s, by the estimated wait): wait for that, never race it.
    trigger = page.locator("#waiting-status").get_attribute("hx-trigger")
    interval = float(trigger.removeprefix("every ").removesuffix("s"))
    expect(page.get_by_role("heading", name="Panier", exact=True)).to_be_visible(
        timeout=(interval + 15) * 1000
    )
    assert page.url.endswith("/inscription/panier/")
    assert queue.look(room.key, str(family.user.pk), now=timezone.now().timestamp()).state == (
        queue_module.State.ACTIVE
    )
