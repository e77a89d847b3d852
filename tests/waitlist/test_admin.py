import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from activities.models import Group
from waitlist.admin import offer_next_action
from waitlist.models import WaitlistEntry

from .conftest import free_a_place, waiting_entry

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:waitlist_waitlistentry_changelist")


def test_offer_a_place_action_reports_one_success_and_one_refusal(staff_client, full_group):
    first, second = waiting_entry(full_group), waiting_entry(full_group)
    free_a_place(full_group)

    response = staff_client.post(
        CHANGELIST,
        {"action": "offer_place_action", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )

    texts = [str(m) for m in get_messages(response.wsgi_request)] or [
        m.message for m in response.context["messages"]
    ]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("offered", "waiting")
    assert any("place offered" in t or "place offerte" in t for t in texts), texts
    assert any("complet" in t or "is full" in t for t in texts), texts


def test_move_actions_reorder_the_line(staff_client, full_group):
    first, second = waiting_entry(full_group), waiting_entry(full_group)

    staff_client.post(CHANGELIST, {"action": "move_top_action", "_selected_action": [second.pk]})

    ordered = list(WaitlistEntry.objects.filter(group=full_group).order_by("queued_at", "pk"))
    assert ordered == [second, first]


def test_changelist_and_entry_page_show_position_and_history(staff_client, full_group, staff_user):
    entry = waiting_entry(full_group)
    from waitlist.services import move_entry

    move_entry(entry=entry, to="top", by=staff_user)

    listing = staff_client.get(CHANGELIST, {"status__exact": "waiting"})
    detail = staff_client.get(reverse("admin:waitlist_waitlistentry_change", args=[entry.pk]))

    assert listing.status_code == 200 and "1 / 1" in listing.content.decode()
    assert detail.status_code == 200 and "moved_top" in detail.content.decode()


def test_offer_next_action_for_the_group_admin(rf, staff_user, full_group):
    entry = waiting_entry(full_group)
    free_a_place(full_group)
    request = rf.post("/admin/")
    request.user = staff_user
    reported = []

    class GroupAdminStub:
        def message_user(self, request, message, level):
            reported.append((level, message))

    offer_next_action(GroupAdminStub(), request, Group.objects.filter(pk=full_group.pk))

    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.OFFERED
    assert len(reported) == 1
