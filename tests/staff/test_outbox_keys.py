"""The superuser takeover through the outbox fails: keys are never stored readable, and only
« Administration » opens the outbox."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from portal.models import OutgoingEmail
from tests import factories

pytestmark = pytest.mark.django_db
OUTBOX = reverse("admin:portal_outgoingemail_changelist")


def _request_reset(client, email, capture):
    with capture(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": email})
    assert response.status_code == 302


def _reset_link(message) -> str:
    return re.search(r"https?://\S+/password/reset/key/\S+/", message.body).group()


def test_a_reset_link_is_sent_but_never_stored(client, django_capture_on_commit_callbacks):
    target = factories.StaffFactory(email="admin@example.org")

    _request_reset(client, target.email, django_capture_on_commit_callbacks)

    [message] = mail.outbox
    key = _reset_link(message).rstrip("/").rsplit("/", 1)[-1]
    row = OutgoingEmail.objects.get(to=target.email)
    assert (row.status, row.key_redacted, row.kind) == ("sent", True, "password_reset_key")
    for stored in OutgoingEmail.objects.values_list("subject", "body_text", "body_html"):
        assert all(key not in text and "/reset/key/" not in text for text in stored)


def test_a_clerk_reading_the_outbox_cannot_take_over_the_superuser(
    client, django_capture_on_commit_callbacks
):
    target = factories.StaffFactory(email="admin@example.org")
    _request_reset(client, target.email, django_capture_on_commit_callbacks)
    key = _reset_link(mail.outbox[0]).rstrip("/").rsplit("/", 1)[-1]
    row = OutgoingEmail.objects.get(to=target.email)

    client.force_login(factories.ClerkFactory(roles=["Administration"]))
    listing = client.get(OUTBOX).content.decode()
    detail = client.get(reverse("admin:portal_outgoingemail_change", args=[row.pk]))

    assert detail.status_code == 200
    assert key not in listing and key not in detail.content.decode()


@pytest.mark.parametrize("role", ["Accueil", "Inscriptions", "Finances", "Animation"])
def test_only_administration_opens_the_outbox(client, role):
    client.force_login(factories.ClerkFactory(roles=[role]))
    assert client.get(OUTBOX).status_code == 403


def test_the_signup_confirmation_key_is_not_stored(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {
                "email": "nouveau@example.org",
                "password1": "Un-mot-de-passe-2027!",
                "password2": "Un-mot-de-passe-2027!",
                "guardian_first_name": "Marie",
                "guardian_last_name": "Tremblay",
                "address": "12 rue des Érables",
                "city": "Saint-Exemple",
                "postal_code": "J1H 2K3",
                "phone": "819 555-0123",
                "preferred_language": "fr",
                "accept_privacy_policy": "on",
            },
        )

    [message] = mail.outbox
    link = re.search(r"https?://\S+/confirm-email/\S+/", message.body).group()
    key = link.rstrip("/").rsplit("/", 1)[-1]
    row = OutgoingEmail.objects.get(to="nouveau@example.org")
    assert row.key_redacted and row.status == OutgoingEmail.Status.SENT
    assert key not in row.body_text + row.body_html


def test_a_key_email_refused_by_smtp_is_marked_failed_and_never_resent(
    settings, django_capture_on_commit_callbacks
):
    from portal import emails

    settings.EMAIL_BACKEND = "tests.portal.test_outbox.RefusingSMTPBackend"
    with django_capture_on_commit_callbacks(execute=True):
        row = emails.send_key_email(
            to="a@example.org", subject="S", body_text="key-123", language="fr", kind="k"
        )

    row.refresh_from_db()
    assert row.status == OutgoingEmail.Status.FAILED
    assert emails.resend(OutgoingEmail.objects.all()) == []
    assert "key-123" not in row.body_text


def test_bodies_of_sent_emails_are_purged_after_the_retention_period(settings):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from portal import emails

    settings.OUTBOX_BODY_RETENTION_DAYS = 30
    old = emails.queue_rendered_email(
        to="a@example.org", subject="S", body_text="Léa: arachides", language="fr", kind="t"
    )
    emails.deliver(old.pk)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        recent = emails.queue_rendered_email(
            to="b@example.org", subject="S", body_text="Noah", language="fr", kind="t"
        )
        emails.deliver(recent.pk)
        assert emails.purge_sent_bodies() == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.body_text, old.subject) == ("", "S")
    assert recent.body_text == "Noah"
