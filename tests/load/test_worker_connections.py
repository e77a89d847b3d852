"""A real worker (its own process, the threads pool of ``scripts/stack.sh``) keeps its
database connections from one task to the next, as the web processes do: Celery's Django
fixup would otherwise open a new PostgreSQL session for every email."""

import pytest
from django.db import connection

from portal.models import OutgoingEmail

from .drill_processes import Worker, portal_env, queue_emails, wait_until, worker_database_url

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),  # the worker reads committed rows
]
EMAILS = 10
CONCURRENCY = 2


def sessions_opened() -> int:
    """Sessions ever opened on the test database (PostgreSQL counts one as it ends at the
    latest, so stop the worker before reading)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_the_worker_sends_many_emails_over_a_connection_per_thread(broker_at, drill_dir):
    env = portal_env(
        DATABASE_URL=worker_database_url(),
        REDIS_URL=broker_at,
        VAR_DIR=str(drill_dir / "var"),  # the file email backend writes here
    )
    before = sessions_opened()
    worker = Worker("reuse", env, drill_dir / "celery.log", pool="threads", concurrency=CONCURRENCY)
    try:
        queue_emails([f"Confirmation {number}" for number in range(EMAILS)])
        all_sent = wait_until(
            lambda: (
                OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT).count() == EMAILS
            ),
            timeout=60,
            every=0.2,
        )
    finally:
        worker.stop()
    assert all_sent, (drill_dir / "celery.log").read_text()
    # Its sessions ended with it: counted now. One per thread that ran a task (and one for
    # the worker's own start), not one per email.
    assert wait_until(lambda: sessions_opened() > before, timeout=10)
    opened = sessions_opened() - before
    assert opened <= CONCURRENCY + 1, f"{opened} sessions for {EMAILS} emails"
