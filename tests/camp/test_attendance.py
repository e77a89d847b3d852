"""Attendance on a phone: permissions, idempotent timestamped marks, the not-yet-marked list."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group as AuthGroup
from django.urls import reverse

from camp.models import Attendance
from camp.selectors import attendance_sheet
from camp.services import CampRefused, mark_attendance
from health.models import MedicalAccessLog
from tests.factories import GroupFactory, UserFactory
from tests.health.factories import HealthFormFactory

from .conftest import MONDAY

pytestmark = pytest.mark.django_db


def page_url(group, day=MONDAY) -> str:
    return reverse("camp:attendance", args=[group.pk, day.isoformat()])


def mark_url(group, person, day=MONDAY) -> str:
    return reverse("camp:mark", args=[group.pk, day.isoformat(), person.pk])


def test_animation_group_has_only_the_attendance_permission(db):
    animation = AuthGroup.objects.get(name="Animation")

    assert [p.codename for p in animation.permissions.all()] == ["take_attendance"]


def test_monitor_sees_the_children_of_their_group_with_flags(monitor_client, camp_group, kids):
    HealthFormFactory(
        person=kids[0],
        season=camp_group.week.season,
        allergies="Arachides",
        allergy_severity="severe",
        epinephrine=True,
    )

    response = monitor_client.get(page_url(camp_group))

    page = response.content.decode()
    assert response.status_code == 200
    assert all(kid.first_name in page for kid in kids)
    assert "Pas-payé" not in page
    assert "Arachides" in page and "Auto-injecteur d'épinéphrine" in page
    assert MedicalAccessLog.objects.filter(person=kids[0]).exists()


def test_monitor_of_another_group_gets_403(monitor_client, kids):
    other = GroupFactory()
    response = monitor_client.get(page_url(other, other.week.starts_on))

    assert response.status_code == 403


def test_staff_without_attendance_permission_gets_403(client, camp_group, kids):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(page_url(camp_group)).status_code == 403
    assert client.post(mark_url(camp_group, kids[0]), {"status": "present"}).status_code == 403
    assert not Attendance.objects.exists()


def test_monitor_cannot_open_the_admin_money_pages(monitor_client):
    assert monitor_client.get("/admin/registrations/order/").status_code == 302


@pytest.mark.parametrize("day", ["2027-06-27", "2027-07-03", "junk", "2027-13-01"])
def test_a_day_outside_the_groups_week_is_404(monitor_client, camp_group, day):
    response = monitor_client.get(f"/camp/presences/{camp_group.pk}/{day}/")

    assert response.status_code == 404


def test_marking_present_twice_keeps_the_first_arrival_time(camp_group, kids, monitor):
    with time_machine.travel("2027-06-28 08:05 -04:00", tick=False):
        first = mark_attendance(
            group=camp_group, person=kids[0], day=MONDAY, status="present", by=monitor
        )
    with time_machine.travel("2027-06-28 09:30 -04:00", tick=False):
        again = mark_attendance(
            group=camp_group, person=kids[0], day=MONDAY, status="present", by=monitor
        )

    assert Attendance.objects.count() == 1
    assert again.arrived_at == first.arrived_at
    assert again.arrived_at.hour == 12  # 08:05 in Montréal, stored in UTC


def test_marking_left_records_who_and_when_once(camp_group, kids, monitor):
    mark_attendance(group=camp_group, person=kids[1], day=MONDAY, status="present", by=monitor)
    with time_machine.travel("2027-06-28 16:10 -04:00", tick=False):
        left = mark_attendance(
            group=camp_group,
            person=kids[1],
            day=MONDAY,
            status="left",
            left_with="Mamie Roy (grand-mère)",
            by=monitor,
        )
    with time_machine.travel("2027-06-28 16:30 -04:00", tick=False):
        again = mark_attendance(
            group=camp_group,
            person=kids[1],
            day=MONDAY,
            status="left",
            left_with="Mamie Roy (grand-mère)",
            by=monitor,
        )

    assert again.left_at == left.left_at
    assert again.left_with == "Mamie Roy (grand-mère)"
    assert again.arrived_at is not None


def test_leaving_with_someone_not_authorised_is_refused(camp_group, kids, monitor):
    with pytest.raises(CampRefused) as refused:
        mark_attendance(
            group=camp_group,
            person=kids[0],
            day=MONDAY,
            status="left",
            left_with="Un inconnu",
            by=monitor,
        )

    assert refused.value.code == "pickup"


def test_leaving_alone_needs_the_guardians_consent(camp_group, kids, monitor):
    with pytest.raises(CampRefused):
        mark_attendance(
            group=camp_group,
            person=kids[0],
            day=MONDAY,
            status="left",
            left_with="__alone__",
            by=monitor,
        )
    HealthFormFactory(person=kids[0], season=camp_group.week.season, consent_leave_alone=True)

    mark = mark_attendance(
        group=camp_group,
        person=kids[0],
        day=MONDAY,
        status="left",
        left_with="__alone__",
        by=monitor,
    )

    assert mark.left_with == "Part seul (autorisé)"


def test_not_yet_marked_lists_registered_children_nobody_marked(camp_group, kids, monitor):
    mark_attendance(group=camp_group, person=kids[0], day=MONDAY, status="present", by=monitor)
    mark_attendance(group=camp_group, person=kids[1], day=MONDAY, status="absent", by=monitor)
    mark_attendance(
        group=camp_group,
        person=kids[2],
        day=MONDAY + timedelta(days=1),
        status="present",
        by=monitor,
    )

    sheet = attendance_sheet(group=camp_group, day=MONDAY)

    assert [row.person for row in sheet.not_marked] == [kids[2]]


def test_htmx_mark_returns_the_row_and_the_updated_summary(monitor_client, camp_group, kids):
    response = monitor_client.post(
        mark_url(camp_group, kids[0]), {"status": "present"}, HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="kid-{kids[0].pk}"' in page
    assert 'hx-swap-oob="true"' in page
    assert "2 enfants pas encore notés" in page
    assert Attendance.objects.get(person=kids[0]).status == "present"


def test_post_without_htmx_redirects_back_to_the_page(monitor_client, camp_group, kids):
    response = monitor_client.post(mark_url(camp_group, kids[0]), {"status": "absent"})

    assert response.status_code == 302
    assert response["Location"] == page_url(camp_group)


@pytest.mark.parametrize("status", ["", "maybe"])
def test_bad_status_is_shown_not_a_server_error(monitor_client, camp_group, kids, status):
    response = monitor_client.post(
        mark_url(camp_group, kids[0]), {"status": status}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert not Attendance.objects.exists()


def test_a_child_not_in_the_group_is_404(monitor_client, camp_group, kids):
    from tests.factories import PersonFactory

    stranger = PersonFactory()

    response = monitor_client.post(mark_url(camp_group, stranger), {"status": "present"})

    assert response.status_code == 404


def test_printable_sheet_has_every_registered_child_and_their_flags(
    monitor_client, camp_group, kids
):
    HealthFormFactory(
        person=kids[0],
        season=camp_group.week.season,
        allergies="Arachides",
        allergy_severity="severe",
        epinephrine=True,
    )

    url = reverse("camp:sheet_pdf", args=[camp_group.pk])
    assert b'name="reason"' in monitor_client.get(url).content  # why, before the PDF
    response = monitor_client.get(url, {"reason": "Sortie sans téléphone"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for kid in kids:
        assert kid.first_name in text
    assert "Pas-payé" not in text
    assert "Arachides" in text and "ÉPINÉPHRINE" in text
    assert text.count("PAS DE FICHE SANTÉ") == 2


def pdf_text(content: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def test_home_lists_only_the_monitors_groups(monitor_client, camp_group):
    other = GroupFactory()

    page = monitor_client.get(reverse("camp:attendance_home")).content.decode()

    assert camp_group.activity.name in page
    assert other.activity.name not in page


def test_clerk_sees_how_many_are_not_yet_marked_in_each_group_of_the_day(camp_group, kids, monitor):
    from camp.selectors import not_marked_counts

    other = GroupFactory(week=camp_group.week)
    mark_attendance(group=camp_group, person=kids[0], day=MONDAY, status="present", by=monitor)

    counts = not_marked_counts(groups=[camp_group, other], day=MONDAY)

    assert counts == {camp_group.pk: 2, other.pk: 0}


def test_home_shows_todays_not_yet_marked_count(client, camp_group, kids):
    from django.contrib.auth.models import Permission

    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="take_any_attendance"))
    client.force_login(clerk)

    with time_machine.travel("2027-06-28 09:15 -04:00"):
        page = client.get(reverse("camp:attendance_home")).content.decode()

    assert "3 enfants" in page
