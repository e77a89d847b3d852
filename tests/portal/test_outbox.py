"""The outbox loses no email: broker down, SMTP down, or the cause rolled back."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from accounts import services
from portal import emails
from portal.models import OutgoingEmail
from portal.tasks import sweep_pending_emails
from tests import factories

pytestmark = pytest.mark.django_db


class RefusingSMTPBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server refused the connection")


def _after_sweep_delay():
    return timezone.now() + timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS + 5)


def test_broker_down_leaves_the_email_pending_then_the_sweeper_sends_it(
    broker_down, staff_client, django_capture_on_commit_callbacks
):
    family = factories.FamilyFactory(pending=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/accounts/family/",
            {"action": "approve", "_selected_action": [family.pk], "index": 0},
        )

    assert response.status_code == 302  # the clerk's request succeeded
    family.refresh_from_db()
    assert family.is_approved
    email = OutgoingEmail.objects.get(to=family.user.email)
    assert email.status == OutgoingEmail.Status.PENDING
    assert mail.outbox == []

    assert emails.due_email_ids() == []  # too young for the sweeper
    with time_machine.travel(_after_sweep_delay()):
        assert sweep_pending_emails() == 1

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert mail.outbox[0].to == [family.user.email]


def test_smtp_failure_counts_the_attempt_and_backs_off(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingSMTPBackend"
    family = factories.FamilyFactory(pending=True)
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        services.approve_families(families=[family], by=factories.StaffFactory())

    email = OutgoingEmail.objects.get()
    assert email.status == OutgoingEmail.Status.PENDING
    assert email.attempts == 1
    assert "refused" in email.last_error
    assert email.next_attempt_at >= before + timedelta(seconds=30)

    late = _after_sweep_delay()
    with time_machine.travel(late):
        assert email.next_attempt_at <= late
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        assert sweep_pending_emails() == 1

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert email.attempts == 2
    assert email.last_error == ""


def test_backoff_keeps_a_failed_email_out_of_the_sweep_until_due(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingSMTPBackend"
    email = emails.queue_rendered_email(
        to="a@example.org", subject="S", body_text="B", language="fr", kind="test"
    )
    with time_machine.travel(_after_sweep_delay()):
        assert not emails.deliver(email.pk)
        email.refresh_from_db()
        assert email.pk not in emails.due_email_ids()
    with time_machine.travel(email.next_attempt_at + timedelta(seconds=1)):
        assert email.pk in emails.due_email_ids()


def test_an_email_gives_up_after_the_maximum_attempts(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingSMTPBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 2
    email = emails.queue_rendered_email(
        to="a@example.org", subject="S", body_text="B", language="fr", kind="test"
    )

    emails.deliver(email.pk)
    emails.deliver(email.pk)

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED
    assert email.attempts == 2


def test_a_rolled_back_cause_leaves_no_email_and_sends_nothing(
    django_capture_on_commit_callbacks,
):
    family = factories.FamilyFactory(pending=True)
    staff = factories.StaffFactory()

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.approve_families(families=[family], by=staff)
        raise RuntimeError("the cause failed after the email was queued")

    assert not OutgoingEmail.objects.exists()
    assert mail.outbox == []
    family.refresh_from_db()
    assert family.status == family.Status.PENDING


def test_a_sent_email_is_never_sent_twice(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = emails.queue_rendered_email(
            to="a@example.org", subject="S", body_text="B", language="fr", kind="test"
        )

    assert emails.deliver(email.pk) is True
    assert len(mail.outbox) == 1
