from celery import shared_task

from . import emails


@shared_task(bind=True, max_retries=5, acks_late=True)
def send_outgoing_email(self, email_id: int) -> bool:
    sent = emails.deliver(email_id)
    if not sent and not self.request.is_eager:
        # SMTP refused or timed out: try again with backoff; the sweeper is the safety net.
        raise self.retry(countdown=30 * 2**self.request.retries)
    return sent


@shared_task
def sweep_pending_emails() -> int:
    emails.fail_lost_key_emails()
    sent = 0
    for email_id in emails.due_email_ids():
        sent += emails.deliver(email_id)
    return sent


@shared_task
def purge_sent_email_bodies() -> int:
    return emails.purge_sent_bodies()
