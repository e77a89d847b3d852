"""A Celery worker is killed with -9 in the middle of sending emails.

A real worker (a process of its own, prefork, as in production) consumes from a Redis of the
drill's own and sends through a real SMTP server that is slow to answer the end of a message.
The worker is killed while messages are in flight; a new worker starts and the outbox sweep
runs. No email is lost; an email the SMTP server had already taken when the worker died is sent
again, because the worker never learnt it was sent: delivery is at least once. The drill counts
those duplicates and checks each one is explained by a message in flight at the kill."""

import pytest

from portal.models import OutgoingEmail
from portal.tasks import sweep_pending_emails

from .drill_processes import (
    SlowSMTPServer,
    Worker,
    portal_env,
    queue_emails,
    wait_until,
    worker_database_url,
)

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),  # the worker processes read committed rows
]
EMAILS = 12
CONCURRENCY = 2  # at most this many emails in flight at once
SMTP_DELAY = 1.0  # seconds between the end of a message and the server's « 250 »


def test_a_worker_killed_mid_send_loses_no_email_and_duplicates_only_what_was_in_flight(
    broker_at, drill_dir
):
    log = drill_dir / "celery.log"
    workers: list[Worker] = []
    with SlowSMTPServer(delay=SMTP_DELAY) as smtp:
        env = portal_env(
            DATABASE_URL=worker_database_url(),
            REDIS_URL=broker_at,
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp.port),
            EMAIL_USE_TLS="0",
            OUTBOX_SWEEP_AFTER_SECONDS="0",
            VAR_DIR=str(drill_dir / "var"),
        )
        try:
            subjects = {f"Drill {number:02d}" for number in range(1, EMAILS + 1)}
            queue_emails(sorted(subjects))

            workers.append(Worker("first", env, log, pool="prefork", concurrency=CONCURRENCY))
            # Kill once a few emails went out and at least one is in flight: taken by the
            # server, its « 250 » not yet sent.
            assert wait_until(
                lambda: sum(smtp.counts().values()) >= 3 and smtp.in_flight() >= 1, timeout=90
            ), log.read_text()
            awaiting_reply_at_kill = smtp.in_flight()
            workers[0].kill_9()
            received_before = set(smtp.counts())
            # Sent by the server's account, still pending in the outbox: the dead worker's
            # transaction rolled back, so nobody knows these went out.
            sent_but_unrecorded = OutgoingEmail.objects.filter(
                subject__in=received_before, status=OutgoingEmail.Status.PENDING
            ).count()
            unsent_at_kill = EMAILS - len(received_before)

            workers.append(Worker("second", env, log, pool="prefork", concurrency=CONCURRENCY))
            sweep_pending_emails.apply_async()  # beat's periodic sweep, run once now
            everything_sent = wait_until(
                lambda: (
                    not OutgoingEmail.objects.exclude(status=OutgoingEmail.Status.SENT).exists()
                ),
                timeout=120,
                every=0.2,
            )
        finally:
            for worker in workers:
                worker.stop()
        received = smtp.counts()

    duplicates = sum(count - 1 for count in received.values())
    print(
        "Worker killed drill:",
        {
            "emails": EMAILS,
            "unsent at the kill": unsent_at_kill,
            "awaiting the server's reply at the kill": awaiting_reply_at_kill,
            "sent but not recorded at the kill": sent_but_unrecorded,
            "duplicates": duplicates,
        },
    )
    assert everything_sent, OutgoingEmail.objects.values_list("subject", "status", "attempts")
    assert set(received) == subjects, received  # none lost: every email reached the server
    assert awaiting_reply_at_kill >= 1  # the kill did catch a message in flight
    assert sent_but_unrecorded <= CONCURRENCY
    # Every duplicate is a message in flight at the kill, and nothing else is sent twice.
    assert duplicates == sent_but_unrecorded, received
