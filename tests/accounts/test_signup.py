import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import Family, User
from portal.models import OutgoingEmail
from tests import factories

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "julie@example.org",
    "password1": "Camps-de-jour-2027!",
    "password2": "Camps-de-jour-2027!",
    "guardian_first_name": "Julie",
    "guardian_last_name": "Gagnon",
    "second_guardian_name": "",
    "address": "45 rue Principale",
    "city": "Saint-Exemple",
    "postal_code": "j1h2k3",
    "phone": "819 555-0199",
    "preferred_language": "fr",
    "accept_privacy_policy": "on",
}


def test_signup_creates_the_user_and_a_pending_family_together(client):
    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    family = Family.objects.get(user__email="julie@example.org")
    assert family.status == Family.Status.PENDING
    assert family.guardian_last_name == "Gagnon"
    assert family.postal_code == "J1H 2K3"


def test_signup_with_a_bad_postal_code_explains_it_and_creates_nothing(client):
    response = client.post(reverse("account_signup"), {**SIGNUP, "postal_code": "12345"})

    assert response.status_code == 200
    assert "Entrez un code postal canadien" in response.content.decode()
    assert not User.objects.exists()
    assert not Family.objects.exists()


def test_a_failing_family_creation_rolls_back_the_user(client, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr("accounts.services.create_family", explode)
    with pytest.raises(RuntimeError):
        client.post(reverse("account_signup"), SIGNUP)

    assert not User.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_verification_email_goes_through_the_outbox_in_the_family_language(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), {**SIGNUP, "preferred_language": "en"})

    email = OutgoingEmail.objects.get(to="julie@example.org")
    assert email.language == "en"
    assert email.kind == "email_confirmation_signup"
    assert "Confirm" in email.subject
    assert email.status == OutgoingEmail.Status.SENT  # eager Celery in tests
    assert mail.outbox[0].to == ["julie@example.org"]


def test_the_verification_link_confirms_the_email_and_lands_on_the_pending_page(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), SIGNUP)
    # The key is sent, never stored: the link is read from the email that left.
    [sent] = [m for m in mail.outbox if m.to == ["julie@example.org"]]
    body = sent.body
    link = re.search(r"https?://\S+/confirmer-courriel/\S+|https?://\S*confirm-email/\S+", body)
    assert link, body
    path = re.sub(r"^https?://[^/]+", "", link.group(0))

    response = client.post(path, follow=True)

    assert EmailAddress.objects.get(email="julie@example.org").verified
    assert response.redirect_chain[-1][0] == reverse("accounts:pending")
    assert "accounts/pending.html" in [t.name for t in response.templates]
    assert "doit approuver votre compte" in response.content.decode()


def test_login_page_uses_the_site_layout_and_french_labels(client):
    response = client.get(reverse("account_login"))

    html = response.content.decode()
    assert 'class="site-header"' in html
    assert '<label for="id_login">Courriel' in html
    assert '<label for="id_password">Mot de passe' in html


def test_signup_page_is_available_in_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    response = client.get(reverse("account_signup"))

    html = response.content.decode()
    assert "Create an account" in html
    assert "Guardian&#x27;s first name" in html or "Guardian's first name" in html


def test_password_reset_email_goes_through_the_outbox_in_the_family_language(
    client, django_capture_on_commit_callbacks
):
    family = factories.FamilyFactory(preferred_language="en")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": family.user.email})

    assert response.status_code == 302
    email = OutgoingEmail.objects.get(to=family.user.email)
    assert email.kind == "password_reset_key"
    assert email.language == "en"
    assert email.subject == "Reset your password"
    assert email.status == OutgoingEmail.Status.SENT


def test_allauth_emails_are_the_towns_in_quebec_french(
    client, django_capture_on_commit_callbacks, settings
):
    """The reset email is ours: the town's layout, « courriel », HTML and text, its link."""
    from django.core import mail

    family = factories.FamilyFactory(preferred_language="fr")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": family.user.email})

    message = mail.outbox[-1]
    html = message.alternatives[0][0]
    assert message.subject == "Réinitialiser votre mot de passe"
    for part in (message.body, html):
        assert settings.MUNICIPALITY_NAME in part
        assert settings.MUNICIPALITY_CONTACT in part
        assert "courriel" in part and "e-mail" not in part.lower()
        assert "://" in part
    assert "c'est" not in message.body


def test_pending_family_logs_in_and_lands_on_its_file(client):
    family = factories.FamilyFactory(pending=True)

    response = client.post(
        reverse("account_login"),
        {"login": family.user.email, "password": factories.PASSWORD},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("accounts:dossier")
    assert not response.context["readiness"].approved


def test_other_allauth_pages_use_the_site_layout(client):
    client.force_login(factories.FamilyFactory().user)

    response = client.get(reverse("account_change_password"))

    assert response.status_code == 200
    assert 'class="site-header"' in response.content.decode()
