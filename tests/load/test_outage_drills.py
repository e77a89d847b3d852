"""Outage drills: the cache's Redis stops while parents register and pay; nothing is lost and
no page is a server error."""

import pytest
from django.test import Client
from django.urls import reverse

from activities.models import Activity
from portal.celery import app as celery_app
from portal.models import OutgoingEmail
from portal.tasks import sweep_pending_emails
from registrations.models import Order
from tests import factories

pytestmark = pytest.mark.django_db
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "portal.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def camp(db):
    week = factories.WeekFactory(season=factories.SeasonFactory(), number=1)
    return factories.GroupFactory(
        week=week, activity=factories.ActivityFactory(kind=Activity.Kind.CAMP), capacity=20
    )


def _sign_in_register_and_pay(camp) -> list[int]:
    family = factories.FamilyFactory()
    child = factories.PersonFactory(family=family)
    client = Client(raise_request_exception=False)
    statuses = []
    signed_in = client.post(
        reverse("account_login"), {"login": family.user.email, "password": factories.PASSWORD}
    )
    statuses.append(signed_in.status_code)
    added = client.post(reverse("registrations:register"), {"person": child.pk, "groups": camp.pk})
    statuses.append(added.status_code)
    checkout = client.post(reverse("registrations:checkout"))
    statuses.append(checkout.status_code)
    paid = client.post(checkout["Location"], {"action": "pay"})
    statuses.append(paid.status_code)
    statuses.append(client.get(paid["Location"]).status_code)
    return statuses


def test_parents_sign_in_register_check_out_and_pay_while_redis_is_down(
    settings, camp, broker_down, django_capture_on_commit_callbacks
):
    settings.CACHES = UNREACHABLE_REDIS
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0

    with django_capture_on_commit_callbacks(execute=True):
        runs = [_sign_in_register_and_pay(camp) for _ in range(3)]

    assert all(code < 500 for statuses in runs for code in statuses), runs
    assert Order.objects.filter(status=Order.Status.PAID).count() == 3
    confirmations = OutgoingEmail.objects.filter(kind="order_confirmation")
    assert confirmations.filter(status=OutgoingEmail.Status.PENDING).count() == 3

    celery_app.conf.task_always_eager = True  # Redis is back
    assert sweep_pending_emails() == 3
    assert confirmations.filter(status=OutgoingEmail.Status.SENT).count() == 3


def test_the_cache_redis_stops_while_parents_register_and_pay(
    settings, camp, own_redis, broker_down, django_capture_on_commit_callbacks
):
    server, port = own_redis
    settings.CACHES = {
        "default": {
            **UNREACHABLE_REDIS["default"],
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        before = _sign_in_register_and_pay(camp)
        server.terminate()  # Redis stops between two parents
        server.wait(timeout=10)
        during = [_sign_in_register_and_pay(camp) for _ in range(2)]

    assert all(code < 500 for code in before + [c for run in during for c in run])
    assert Order.objects.filter(status=Order.Status.PAID).count() == 3
    assert OutgoingEmail.objects.filter(kind="order_confirmation").count() == 3
