"""The group page in the admin, and « Offrir une place » out of turn."""

import pytest
from django.urls import reverse

from portal.errors import DomainError
from tests.factories import GroupFactory, RegistrationFactory, WaitlistEntryFactory
from waitlist.models import WaitlistEntry, WaitlistEvent
from waitlist.out_of_turn import offer_out_of_turn

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_group(db):
    """One place freed (capacity 2, one confirmed), three families waiting."""
    group = GroupFactory(capacity=2)
    RegistrationFactory(group=group, person__first_name="Inscrite")
    line = [
        WaitlistEntryFactory(group=group, person__first_name=name)
        for name in ("Premier", "Deuxième", "Troisième")
    ]
    return group, line


def page(group) -> str:
    return reverse("admin:camp_grouppage_change", args=[group.pk])


def test_group_page_shows_places_line_and_roster(staff_client, full_group):
    group, _line = full_group

    response = staff_client.get(page(group))

    text = response.content.decode()
    assert response.status_code == 200
    assert "Inscrite" in text
    assert text.index("Premier") < text.index("Deuxième") < text.index("Troisième")


def test_group_page_needs_a_permission_not_just_is_staff(client, full_group):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))

    assert client.get(page(full_group[0])).status_code == 403


@pytest.mark.parametrize("junk", ["abc", "0", str(10**30)])
def test_junk_group_id_is_not_a_server_error(staff_client, junk):
    assert staff_client.get(f"/admin/camp/grouppage/{junk}/change/").status_code in (302, 404)


def test_offer_out_of_turn_without_a_reason_is_refused(staff_user, full_group):
    _group, line = full_group

    with pytest.raises(DomainError) as refused:
        offer_out_of_turn(entry=line[1], reason="  ", by=staff_user)

    line[1].refresh_from_db()
    assert line[1].status == WaitlistEntry.Status.WAITING
    assert refused.value.code == "reason_required"


def test_offer_out_of_turn_records_the_reason_on_both_families(staff_user, full_group):
    _group, line = full_group

    offer_out_of_turn(entry=line[1], reason="Fratrie déjà inscrite", by=staff_user)

    line[1].refresh_from_db()
    assert line[1].status == WaitlistEntry.Status.OFFERED
    offered = WaitlistEvent.objects.get(entry=line[1], action="offered_out_of_turn")
    skipped = WaitlistEvent.objects.get(entry=line[0], action="passed_over")
    assert offered.note == "Fratrie déjà inscrite" and offered.actor == staff_user
    assert "Fratrie déjà inscrite" in skipped.note and "Deuxième" in skipped.note
    assert not WaitlistEvent.objects.filter(entry=line[2], action="passed_over").exists()


def test_first_in_line_needs_no_reason(staff_user, full_group):
    _group, line = full_group

    offer_out_of_turn(entry=line[0], reason="", by=staff_user)

    assert not WaitlistEvent.objects.filter(action="passed_over").exists()


def test_group_page_offer_shows_the_skipped_familys_history(staff_client, full_group):
    group, line = full_group

    staff_client.post(
        reverse("admin:camp_group_offer_entry", args=[group.pk]),
        {"entry": line[2].pk, "reason": "Besoin d'accompagnement disponible"},
    )
    text = staff_client.get(page(group)).content.decode()

    assert "Besoin d&#x27;accompagnement disponible" in text
    line[2].refresh_from_db()
    assert line[2].status == WaitlistEntry.Status.OFFERED


def test_admin_action_on_the_second_in_line_asks_for_a_reason(staff_client, full_group):
    _group, line = full_group
    changelist = reverse("admin:waitlist_waitlistentry_changelist")

    asked = staff_client.post(
        changelist, {"action": "offer_place_action", "_selected_action": [line[1].pk]}
    )
    line[1].refresh_from_db()
    assert asked.status_code == 200 and line[1].status == WaitlistEntry.Status.WAITING

    staff_client.post(
        changelist,
        {
            "action": "offer_place_action",
            "_selected_action": [line[1].pk],
            "apply": "1",
            "reason": "Erreur de saisie corrigée",
        },
    )
    line[1].refresh_from_db()
    assert line[1].status == WaitlistEntry.Status.OFFERED
    listing = staff_client.get(changelist).content.decode()
    assert "dépassé" in listing


def test_no_free_place_error_names_the_entry_once(staff_client):
    group = GroupFactory(capacity=1)
    RegistrationFactory(group=group)
    entry = WaitlistEntryFactory(group=group, person__first_name="Unique")
    changelist = reverse("admin:waitlist_waitlistentry_changelist")

    response = staff_client.post(
        changelist,
        {"action": "offer_place_action", "_selected_action": [entry.pk]},
        follow=True,
    )

    texts = [str(m) for m in response.context["messages"]]
    assert len(texts) == 1 and texts[0].count(str(entry)) == 1, texts


def test_group_pages_list_links_to_the_season_dashboard(staff_client, full_group):
    response = staff_client.get(reverse("admin:camp_grouppage_changelist"))

    assert response.status_code == 200
    assert reverse("admin:camp_dashboard_seasons") in response.content.decode()
