"""The privacy page, its links, and the policy version a family accepted."""

import pytest
from django.urls import reverse

from accounts.models import Family

pytestmark = pytest.mark.django_db


def test_the_privacy_page_names_the_person_in_charge_from_the_environment(client, settings):
    settings.PRIVACY_OFFICER_TITLE = "Greffière adjointe"
    settings.PRIVACY_OFFICER_CONTACT = "vie-privee@saint-exemple.ca"

    page = client.get(reverse("portal:privacy")).content.decode()

    assert "Greffière adjointe" in page and "vie-privee@saint-exemple.ca" in page


def test_the_privacy_page_reads_in_english_too(client):
    client.cookies["django_language"] = "en"
    assert "How long we keep it" in client.get(reverse("portal:privacy")).content.decode()


def test_every_page_and_the_sign_up_link_to_the_privacy_page(client):
    url = reverse("portal:privacy")
    for page in ("/", reverse("account_signup"), reverse("activities:catalogue")):
        assert f'href="{url}"' in client.get(page).content.decode(), page


def test_sign_up_records_the_policy_version_accepted(client, settings):
    from tests.accounts.test_signup import SIGNUP

    client.post(reverse("account_signup"), SIGNUP)

    family = Family.objects.get(user__email=SIGNUP["email"])
    assert family.privacy_policy_version == settings.PRIVACY_POLICY_VERSION
    assert family.privacy_policy_accepted_at is not None


def test_sign_up_without_accepting_the_policy_is_refused(client):
    from tests.accounts.test_signup import SIGNUP

    data = {k: v for k, v in SIGNUP.items() if k != "accept_privacy_policy"}
    response = client.post(reverse("account_signup"), data)

    assert response.status_code == 200
    assert response.context["form"].errors["accept_privacy_policy"]


def test_a_new_policy_version_is_asked_for_then_the_family_goes_on(parent_client, settings):
    settings.PRIVACY_POLICY_VERSION = "2099-01"
    dossier = reverse("accounts:dossier")

    response = parent_client.get(dossier)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:accept_policy"))
    assert parent_client.get(reverse("portal:privacy")).status_code == 200

    response = parent_client.post(
        reverse("accounts:accept_policy"), {"accept": "on", "next": dossier}
    )

    assert response["Location"] == dossier
    assert parent_client.get(dossier).status_code == 200
