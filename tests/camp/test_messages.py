"""Messages to a group's families: preview, one outbox email per family in its language,
the reason given, a log, and a rate limit."""

import pytest
from django.urls import reverse

from camp.messaging import send_family_message
from camp.models import FamilyMessage
from camp.services import CampRefused
from portal.models import OutgoingEmail
from tests.factories import (
    FamilyFactory,
    GroupFactory,
    PersonFactory,
    RegistrationFactory,
    UserFactory,
    WaitlistEntryFactory,
)

pytestmark = pytest.mark.django_db

TEXT = {
    "subject_fr": "Sortie annulée",
    "body_fr": "La sortie de jeudi est annulée à cause de la chaleur.",
    "subject_en": "Outing cancelled",
    "body_en": "Thursday's outing is cancelled because of the heat.",
}


@pytest.fixture
def group_with_families(db):
    group = GroupFactory()
    french = FamilyFactory()
    english = FamilyFactory(preferred_language="en")
    for family in (french, english):
        RegistrationFactory(order__family=family, person=PersonFactory(family=family), group=group)
    # Two children of one family: still one email.
    RegistrationFactory(order__family=french, person=PersonFactory(family=french), group=group)
    RegistrationFactory(group=group, status="cancelled")
    WaitlistEntryFactory(group=group)
    return group, french, english


def test_each_family_gets_one_email_in_its_language_with_the_reason(
    staff_user, group_with_families
):
    group, french, english = group_with_families

    message = send_family_message(audience="group", group=group, week=None, by=staff_user, **TEXT)

    emails = {e.to: e for e in OutgoingEmail.objects.filter(kind="family_message")}
    assert message.recipients == 2 and set(emails) == {french.user.email, english.user.email}
    assert emails[french.user.email].subject == "Sortie annulée"
    assert "chaleur" in emails[french.user.email].body_text
    assert "inscrit dans" in emails[french.user.email].body_text
    assert emails[english.user.email].subject == "Outing cancelled"
    assert "registered in" in emails[english.user.email].body_text


def test_the_waiting_line_is_its_own_audience(staff_user, group_with_families):
    group, _french, _english = group_with_families

    message = send_family_message(
        audience="waitlist", group=group, week=None, by=staff_user, **TEXT
    )

    assert message.recipients == 1
    assert "liste d'attente" in OutgoingEmail.objects.get(kind="family_message").body_text


def test_a_week_reaches_every_group_of_that_week(staff_user, group_with_families):
    group, _french, _english = group_with_families
    RegistrationFactory(group=GroupFactory(week=group.week))

    message = send_family_message(
        audience="week", group=None, week=group.week, by=staff_user, **TEXT
    )

    assert message.recipients == 3


def test_sending_is_rate_limited(settings, staff_user, group_with_families):
    group, _french, _english = group_with_families
    settings.CAMP_MESSAGES_PER_HOUR = 1
    send_family_message(audience="group", group=group, week=None, by=staff_user, **TEXT)

    with pytest.raises(CampRefused) as refused:
        send_family_message(audience="group", group=group, week=None, by=staff_user, **TEXT)

    assert refused.value.code == "rate"
    assert FamilyMessage.objects.count() == 1


def test_preview_sends_nothing_then_send_queues_and_logs(staff_client, group_with_families):
    group, _french, _english = group_with_families
    url = reverse("admin:camp_familymessage_write")
    data = {"audience": "group", "group": group.pk, **TEXT}

    preview = staff_client.post(url, {**data, "preview": "1"})
    assert preview.status_code == 200
    assert "2 familles le recevront" in preview.content.decode()
    assert not OutgoingEmail.objects.filter(kind="family_message").exists()

    sent = staff_client.post(url, {**data, "send": "1"})
    assert sent.status_code == 302
    assert OutgoingEmail.objects.filter(kind="family_message").count() == 2
    assert FamilyMessage.objects.get().sent_by is not None


def test_writing_needs_its_permission(client, group_with_families):
    client.force_login(UserFactory(is_staff=True))

    response = client.get(reverse("admin:camp_familymessage_write"))

    assert response.status_code == 403


def test_bad_input_is_a_form_error_not_a_server_error(staff_client):
    url = reverse("admin:camp_familymessage_write")

    response = staff_client.post(url, {"audience": "group", "group": "abc", **TEXT, "send": "1"})

    assert response.status_code == 200
    assert not FamilyMessage.objects.exists()
