"""A Redis or PostgreSQL outage is a clear page, never a dead site."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse

from tests import factories

from .test_deploy_check import PRODUCTION, manage

pytestmark = pytest.mark.django_db
NOBODY_LISTENS = "redis://127.0.0.1:1/0"


def _cache_at(backend: str) -> dict:
    return {
        "default": {
            "BACKEND": backend,
            "LOCATION": NOBODY_LISTENS,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


@pytest.fixture
def redis_down(settings):
    settings.CACHES = _cache_at("portal.cache.ResilientRedisCache")


def test_logged_in_pages_and_the_session_survive_a_redis_outage(settings, family):
    client = Client()
    client.force_login(family.user)  # signed in while Redis answered
    settings.CACHES = _cache_at("portal.cache.ResilientRedisCache")

    for url in ("/", reverse("accounts:dossier"), reverse("registrations:cart")):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("accounts:dossier")).context["user"] == family.user


def test_control_django_plain_redis_cache_fails_the_same_pages(settings, family):
    """Proves the test above can fail: Django's own backend does not survive the outage."""
    client = Client(raise_request_exception=False)
    client.force_login(family.user)
    settings.CACHES = _cache_at("django.core.cache.backends.redis.RedisCache")

    assert client.get(reverse("accounts:dossier")).status_code == 500


def test_a_parent_signs_in_while_redis_is_down(redis_down, family):
    client = Client()

    response = client.post(
        reverse("account_login"), {"login": family.user.email, "password": factories.PASSWORD}
    )

    assert response.status_code == 302
    assert client.get(reverse("accounts:dossier")).status_code == 200


def database_down():
    """Every new cursor fails as when PostgreSQL is stopped (the test's own transaction is left
    alone and rolled back afterwards)."""
    refused = OperationalError("connection refused")
    return mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=refused)


def test_a_database_outage_is_a_bilingual_503_with_retry_after(family):
    client = Client(raise_request_exception=False)
    client.force_login(family.user)

    with database_down():
        response = client.get(reverse("accounts:dossier"))

    page = response.content.decode()
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "Le portail est momentanément indisponible" in page
    assert "The portal is briefly unavailable" in page
    assert "Server Error" not in page


def test_another_error_is_the_bilingual_500_page(db):
    client = Client(raise_request_exception=False)

    with mock.patch("portal.views.render", side_effect=RuntimeError("bug")):
        response = client.get("/")

    page = response.content.decode()
    assert response.status_code == 500
    assert "Une erreur est survenue de notre côté" in page
    assert "Something went wrong on our side" in page


def test_healthz_says_error_without_internals_when_the_database_is_down(client):
    with database_down():
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "error"
    assert "Operational" not in response.content.decode()


def test_healthz_says_error_when_redis_is_down(client, redis_down):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "error"}


def test_production_checks_database_connections_before_reusing_them():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']"
        "['CONN_HEALTH_CHECKS'], settings.CACHES['default']['BACKEND'])",
        env=PRODUCTION,
    )

    assert result.stdout.splitlines()[-1].split() == ["True", "portal.cache.ResilientRedisCache"], (
        result.stderr
    )


def _sign_ins_during_an_outage_then_after(family, attempts: int = 6) -> tuple[set[int], int]:
    """A parent presses « Connexion » again and again while the database is down, then once
    it is back: the statuses during the outage, and the status of the sign-in after it."""
    client = Client(raise_request_exception=False)
    credentials = {"login": family.user.email, "password": factories.PASSWORD}
    refused = OperationalError("connection refused")
    with mock.patch("allauth.account.adapter.authenticate", side_effect=refused):
        statuses = {client.post(reverse("account_login"), credentials).status_code}
        for _ in range(attempts - 1):
            statuses.add(client.post(reverse("account_login"), credentials).status_code)
    return statuses, client.post(reverse("account_login"), credentials).status_code


def test_sign_ins_the_database_could_not_answer_do_not_lock_the_account(family):
    during, after = _sign_ins_during_an_outage_then_after(family)

    assert during == {503}
    assert after == 302


def test_control_allauth_alone_counts_them_as_failed_attempts(family):
    """Proves the test above can fail: allauth's own adapter locks the parent out."""
    from allauth.account.adapter import DefaultAccountAdapter

    from accounts.adapter import AccountAdapter

    with mock.patch.object(AccountAdapter, "authenticate", DefaultAccountAdapter.authenticate):
        during, after = _sign_ins_during_an_outage_then_after(family)

    assert (during, after) == ({200, 503}, 200)  # « Trop de tentatives », even after
