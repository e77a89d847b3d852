"""Staff sign in as strongly as parents: through allauth (its rate limits), with a second
factor that a setting makes mandatory; rate limits count each parent behind the proxy."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.test import Client
from django.urls import reverse, set_script_prefix

from tests import factories

pytestmark = pytest.mark.django_db
LOGIN = reverse("account_login")
PROXY = "10.0.0.1"


def test_the_admin_login_sends_staff_to_the_allauth_login(client):
    response = client.get(reverse("admin:login"), {"next": "/admin/"})

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("door", [reverse("admin:login"), LOGIN])
def test_wrong_passwords_then_the_right_one_do_not_open_the_admin(client, door):
    staff = factories.StaffFactory()
    for _ in range(25):
        client.post(door, {"username": staff.email, "login": staff.email, "password": "wrong"})

    client.post(
        door, {"username": staff.email, "login": staff.email, "password": factories.PASSWORD}
    )

    assert client.get(reverse("admin:index")).status_code == 302  # still signed out


def _fail_logins_from(ip: str, count: int) -> None:
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ip)
    for attempt in range(count):
        client.post(LOGIN, {"login": f"typo{attempt}@example.org", "password": "wrong"})


def _signs_in_from(ip: str, user) -> bool:
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ip)
    client.post(LOGIN, {"login": user.email, "password": factories.PASSWORD})
    return client.get(reverse("accounts:dossier")).status_code == 200


def test_two_parents_behind_the_same_proxy_are_limited_separately(settings, family):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    _fail_logins_from("203.0.113.10", 12)  # the first parent's typos exhaust their limit

    assert _signs_in_from("203.0.113.20", family.user)


def test_control_without_the_proxy_setting_the_whole_town_shares_one_limit(settings, family):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    _fail_logins_from("203.0.113.10", 12)

    assert not _signs_in_from("203.0.113.20", family.user)


def test_a_staff_account_without_a_second_factor_is_sent_to_set_it_up(settings, client):
    settings.STAFF_MFA_REQUIRED = True
    staff = factories.StaffFactory()
    client.post(LOGIN, {"login": staff.email, "password": factories.PASSWORD})

    response = client.get(reverse("admin:index"))
    client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})
    setup = client.get(response["Location"])

    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    assert setup.status_code == 200
    assert "code" in setup.context["form"].fields  # the code of the app that scanned it


def test_the_admin_below_a_script_prefix_asks_for_the_second_factor_too(settings, client):
    settings.STAFF_MFA_REQUIRED = True
    client.force_login(factories.StaffFactory())
    setup = reverse("mfa_activate_totp")

    set_script_prefix("/ville/")  # as the server sets it for each request below /ville/
    try:  # twice: the admin's path is found once, then kept
        responses = [client.get("/admin/", SCRIPT_NAME="/ville") for _ in range(2)]
    finally:
        set_script_prefix("/")

    for response in responses:
        assert response.status_code == 302
        assert response["Location"].startswith("/ville" + setup)


def test_a_parent_is_not_asked_for_a_second_factor(settings, parent_client):
    settings.STAFF_MFA_REQUIRED = True

    assert parent_client.get(reverse("accounts:dossier")).status_code == 200


def test_a_staff_account_with_totp_signs_in_with_its_code_and_opens_the_admin(settings, client):
    settings.STAFF_MFA_REQUIRED = True
    staff = factories.StaffFactory()
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)

    asked = client.post(LOGIN, {"login": staff.email, "password": factories.PASSWORD})
    assert asked["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("admin:index")).status_code == 302  # password alone: no admin

    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    client.post(reverse("mfa_authenticate"), {"code": code})

    assert Authenticator.objects.filter(user=staff).exists()
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_rate_limited_request_gets_the_portals_bilingual_page(client):
    """allauth answers its limits (here 30 sign-in attempts a minute per address) with the
    handler429 of our URLconf: the town's page in both languages, with Retry-After."""
    for attempt in range(40):
        response = client.post(LOGIN, {"login": f"typo{attempt}@example.org", "password": "x"})
        if response.status_code == 429:
            break

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert "Trop de tentatives" in page and "Too many attempts" in page
    assert "veuillez patienter 60 secondes" in page
