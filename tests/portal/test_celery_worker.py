"""One end-to-end check with a real Celery worker consuming from Redis."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from accounts import services
from portal.celery import app as celery_app
from portal.models import OutgoingEmail
from tests import factories

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),  # the worker thread must see committed rows
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="REDIS_URL is not set: this test needs a real Redis broker (CI provides one)",
    ),
]


def _wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_a_real_worker_delivers_the_approval_email():
    celery_app.conf.task_always_eager = False
    family = factories.FamilyFactory(pending=True, preferred_language="fr")
    staff = factories.StaffFactory()

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        services.approve_families(families=[family], by=staff)  # commits, then enqueues

        assert _wait_for(lambda: len(mail.outbox) == 1), "the worker sent nothing"

    assert mail.outbox[0].to == [family.user.email]
    assert mail.outbox[0].subject == "Votre compte est approuvé"
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENT
