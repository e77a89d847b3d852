"""Each clerk's role does its job and nothing more; the failures found by the attack pass."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from registrations.models import Order
from tests import factories
from tests.registrations.helpers import paid_order
from tests.waitlist.conftest import free_a_place, waiting_entry
from waitlist.models import WaitlistEntry, WaitlistEvent

pytestmark = pytest.mark.django_db
ENTRIES = reverse("admin:waitlist_waitlistentry_changelist")
ORDERS = reverse("admin:registrations_order_changelist")


@pytest.fixture
def full_group(db):
    return factories.GroupFactory(capacity=1, activity__name="Camp Plein Air")


def _clerk_client(client, *roles):
    client.force_login(factories.ClerkFactory(roles=list(roles)))
    return client


@pytest.mark.parametrize("action", ["offer_place_action", "move_bottom_action"])
def test_a_view_only_clerk_cannot_offer_or_move_waiting_entries(client, full_group, action):
    factories.RegistrationFactory(group=full_group)
    first, second = waiting_entry(full_group), waiting_entry(full_group)
    free_a_place(full_group)
    viewer = factories.ClerkFactory()
    viewer.user_permissions.set(Permission.objects.filter(codename="view_waitlistentry"))
    client.force_login(viewer)

    client.post(ENTRIES, {"action": action, "_selected_action": [first.pk]})

    first.refresh_from_db()
    assert first.status == WaitlistEntry.Status.WAITING
    assert list(WaitlistEntry.objects.order_by("queued_at", "pk")) == [first, second]
    assert not WaitlistEvent.objects.exists()


def test_inscriptions_offers_a_place_from_the_waiting_list(client, full_group):
    factories.RegistrationFactory(group=full_group)
    entry = waiting_entry(full_group)
    free_a_place(full_group)
    _clerk_client(client, "Inscriptions")

    client.post(ENTRIES, {"action": "offer_place_action", "_selected_action": [entry.pk]})

    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.OFFERED


def test_a_clerk_without_the_waiting_list_right_cannot_offer_to_the_next(client, full_group):
    factories.RegistrationFactory(group=full_group)
    waiting_entry(full_group)
    free_a_place(full_group)
    _clerk_client(client, "Accueil", "Finances", "Animation", "Administration")

    response = client.post(reverse("waitlist:offer_next"), {"group": full_group.pk})

    assert response.status_code == 403
    assert not WaitlistEntry.objects.filter(status=WaitlistEntry.Status.OFFERED).exists()


@pytest.fixture
def order(family):
    camp = factories.GroupFactory()
    return paid_order(family=family, items=[(family.persons.first(), [camp])])


def test_inscriptions_sees_orders_but_cannot_refund_them(client, order):
    _clerk_client(client, "Inscriptions")

    assert client.get(ORDERS).status_code == 200
    client.post(ORDERS, {"action": "cancel_and_refund", "_selected_action": [order.pk]})

    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_finances_cancels_and_refunds_an_order(client, order):
    _clerk_client(client, "Finances")

    confirm = client.post(ORDERS, {"action": "cancel_and_refund", "_selected_action": [order.pk]})
    refund_page = reverse("admin:registrations_order_refund", args=[order.pk])
    assert confirm["Location"] == refund_page
    lines = list(order.registrations.values_list("pk", flat=True))
    client.post(refund_page, {"lines": lines, "reason": "Demande de la famille"})

    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED


def test_inscriptions_cannot_reach_the_refund_page(client, order):
    _clerk_client(client, "Inscriptions")
    refund_page = reverse("admin:registrations_order_refund", args=[order.pk])
    assert client.get(refund_page).status_code == 403
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_accueil_approves_families_but_cannot_touch_the_catalogue(client):
    family = factories.FamilyFactory(pending=True)
    _clerk_client(client, "Accueil")

    client.post(
        reverse("admin:accounts_family_changelist"),
        {"action": "approve", "_selected_action": [family.pk]},
    )

    family.refresh_from_db()
    assert family.is_approved
    assert client.get(reverse("admin:activities_season_add")).status_code == 403


def test_animation_cannot_download_rosters_with_every_groups_medical_notes(client):
    """Monitors see their own group's children on the attendance page, nothing more."""
    registration = factories.RegistrationFactory()
    _clerk_client(client, "Animation")

    response = client.get(reverse("registrations:roster_csv", args=[registration.group_id]))

    assert response.status_code == 403


def test_inscriptions_runs_the_summer_from_the_group_page_dashboard_and_messages(client):
    group = factories.GroupFactory()
    _clerk_client(client, "Inscriptions")

    page = client.get(reverse("admin:camp_grouppage_change", args=[group.pk]))
    dashboard = client.get(reverse("admin:camp_dashboard", args=[group.week.season_id]))
    message = client.get(reverse("admin:camp_familymessage_write"))

    assert (page.status_code, dashboard.status_code, message.status_code) == (200, 200, 200)
