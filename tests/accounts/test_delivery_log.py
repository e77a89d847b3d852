"""« Mon dossier » lists every email sent to the family and sends a confirmation again."""

import pytest
from django.urls import reverse

from portal.models import OutgoingEmail
from tests import factories

pytestmark = pytest.mark.django_db


def make_email(family, **fields):
    values = {
        "to": family.user.email,
        "subject": "Inscription confirmée — commande A-1",
        "body_text": "Reçu",
        "body_html": "<p>Reçu</p>",
        "kind": "order_confirmation",
        "status": OutgoingEmail.Status.SENT,
    }
    values.update(fields)
    return OutgoingEmail.objects.create(**values)


def test_the_log_shows_subject_and_status_but_never_a_key(client):
    family = factories.FamilyFactory()
    make_email(family)
    make_email(
        family,
        subject="Réinitialiser votre mot de passe",
        body_text="https://secret-link",
        kind="password_reset_key",
        key_redacted=True,
        status=OutgoingEmail.Status.FAILED,
    )
    make_email(factories.FamilyFactory(), subject="Someone else's")
    client.force_login(family.user)

    html = client.get(reverse("accounts:dossier")).content.decode()

    assert "Inscription confirmée — commande A-1" in html
    assert "Réinitialiser votre mot de passe" in html
    assert "secret-link" not in html
    assert "Someone else" not in html
    assert "courriers indésirables" in html
    assert html.count(">Renvoyer<") == 1  # the confirmation, not the reset link


def test_resend_queues_a_copy_and_is_rate_limited(client, django_capture_on_commit_callbacks):
    family = factories.FamilyFactory()
    email = make_email(family)
    client.force_login(family.user)
    url = reverse("accounts:resend_email", args=[email.pk])

    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url).status_code == 302
    client.post(url)

    copies = OutgoingEmail.objects.filter(kind="order_confirmation_resent")
    assert copies.count() == 3
    assert copies.first().body_text == "Reçu"


def test_a_family_cannot_resend_another_familys_email(client):
    family = factories.FamilyFactory()
    other = make_email(factories.FamilyFactory())
    client.force_login(family.user)

    client.post(reverse("accounts:resend_email", args=[other.pk]))

    assert not OutgoingEmail.objects.filter(kind="order_confirmation_resent").exists()
