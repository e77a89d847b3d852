"""Closing an account: medical data and persons gone, money kept de-identified, login
impossible, the same email free for a new account, a clerk sees only that it happened."""

import pytest
from django.urls import reverse

from accounts.models import Family, Person, User
from health.models import EmergencyContact, HealthForm
from portal.errors import DomainError
from portal.models import OutgoingEmail
from privacy.models import AccountClosure
from privacy.services import close_account
from registrations.models import Order, Payment, Registration
from tests import factories
from tests.factories import PASSWORD
from waitlist.models import WaitlistEntry

pytestmark = pytest.mark.django_db


def _close(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            reverse("privacy:close_account"), {"password": PASSWORD, "confirm": "on"}
        )


def test_closing_deletes_medical_data_and_persons_and_keeps_money_de_identified(
    parent_client, full_family, django_capture_on_commit_callbacks
):
    email = full_family.user.email
    response = _close(parent_client, django_capture_on_commit_callbacks)

    assert response["Location"] == reverse("privacy:closed")
    assert not HealthForm.objects.exists() and not EmergencyContact.objects.exists()
    assert not WaitlistEntry.objects.exists()
    assert not Person.objects.filter(first_name__in=["Léa", "Noah"]).exists()
    kept = Person.objects.get()  # named on a paid registration: kept, without a name
    assert (kept.allergies, kept.medical_notes, kept.authorized_pickups) == ("", "", "")
    assert Order.objects.count() == 1 and Payment.objects.count() == 2
    assert Registration.objects.get().person == kept
    family = Family.objects.get(pk=full_family.pk)
    assert (family.address, family.phone, family.postal_code) == ("", "", "")
    assert "Tremblay" not in str(family)
    assert not OutgoingEmail.objects.filter(subject="Bienvenue").exclude(body_text="").exists()
    assert OutgoingEmail.objects.filter(to=email, kind="account_closed").count() == 1


def test_after_closing_login_is_impossible_and_the_same_email_signs_up_again(
    client, full_family, django_capture_on_commit_callbacks
):
    email = full_family.user.email
    client.force_login(full_family.user)
    _close(client, django_capture_on_commit_callbacks)

    assert client.get(reverse("accounts:dossier")).status_code == 302  # logged out
    assert not client.login(email=email, password=PASSWORD)
    from tests.accounts.test_signup import SIGNUP

    response = client.post(reverse("account_signup"), {**SIGNUP, "email": email})
    assert response.status_code == 302
    assert User.objects.filter(email=email, is_active=True).count() == 1


def test_a_clerk_sees_that_a_closure_happened_not_what_was_deleted(client, full_family):
    close_account(family=full_family)
    client.force_login(factories.ClerkFactory(roles=["Accueil"]))

    page = client.get(reverse("admin:privacy_accountclosure_changelist")).content.decode()

    assert AccountClosure.objects.count() == 1
    assert "F-" in page and "Arachides" not in page and "Léa" not in page


def test_closing_waits_for_a_pending_payment(full_family):
    factories.OrderFactory(family=full_family)  # pending_payment

    with pytest.raises(DomainError) as refused:
        close_account(family=full_family)

    assert refused.value.code == "pending_payment"
    assert HealthForm.objects.exists()


def test_closing_needs_the_password(parent_client, full_family):
    response = parent_client.post(
        reverse("privacy:close_account"), {"password": "wrong", "confirm": "on"}
    )
    assert response.status_code == 200 and not AccountClosure.objects.exists()
