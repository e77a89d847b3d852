"""The outbox: every email is a row written in the cause's transaction, then sent by Celery."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context, engines
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import OutgoingEmail

logger = logging.getLogger(__name__)


def queue_email(
    *, to: str, template: str, context: dict, language: str = "fr", kind: str = ""
) -> OutgoingEmail:
    """Render ``emails/<template>_subject.txt``, ``.txt`` and ``.html`` and queue them.

    Call it inside the transaction that causes the email: the row commits or
    rolls back with it, and the send is enqueued only after commit.
    """
    context = {
        "municipality_name": settings.MUNICIPALITY_NAME,
        "municipality_contact": settings.MUNICIPALITY_CONTACT,
        "site_url": settings.SITE_URL,
        **context,
    }
    with translation.override(language):
        subject = render_plain_text(f"emails/{template}_subject.txt", context).strip()
        body_text = render_plain_text(f"emails/{template}.txt", context)
        body_html = render_to_string(f"emails/{template}.html", context)
    return queue_rendered_email(
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        language=language,
        kind=kind or template,
    )


def render_plain_text(template_name: str, context: dict) -> str:
    """A text part or a subject: no HTML escaping (« Camp de l'Île », not « l&#x27;Île »)."""
    template = engines["django"].engine.get_template(template_name)
    return template.render(Context(context, autoescape=False))


def queue_rendered_email(
    *, to: str, subject: str, body_text: str, body_html: str = "", language: str, kind: str
) -> OutgoingEmail:
    """Queue an email already rendered elsewhere (allauth's messages go through here)."""
    email = OutgoingEmail.objects.create(
        to=to,
        subject=" ".join(subject.split()),
        body_text=body_text,
        body_html=body_html,
        language=language,
        kind=kind,
    )
    transaction.on_commit(lambda: enqueue_delivery(email.pk))
    return email


def enqueue_delivery(email_id: int) -> None:
    """Hand the email to Celery; if the broker is down the sweeper sends it later."""
    from .tasks import send_outgoing_email

    try:
        send_outgoing_email.apply_async((email_id,), retry=False)
    except Exception:  # broker unreachable: the row stays pending, nothing fails for the user
        logger.warning("Broker unreachable; email %s left for the sweeper", email_id, exc_info=True)


def resend(emails) -> list[int]:
    """Staff ask again: failed emails go back to pending and each unsent one is re-enqueued."""
    ids = list(emails.exclude(status=OutgoingEmail.Status.SENT).values_list("pk", flat=True))
    OutgoingEmail.objects.filter(pk__in=ids, status=OutgoingEmail.Status.FAILED).update(
        status=OutgoingEmail.Status.PENDING, next_attempt_at=None
    )
    for email_id in ids:
        enqueue_delivery(email_id)
    return ids


def deliver(email_id: int) -> bool:
    """Send one pending email once. Returns True when it is (or already was) sent."""
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutgoingEmail.Status.PENDING)
            .first()
        )
        if email is None:
            return OutgoingEmail.objects.filter(
                pk=email_id, status=OutgoingEmail.Status.SENT
            ).exists()
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to],
        )
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        email.attempts += 1
        try:
            message.send()
        except Exception as exc:
            email.last_error = f"{type(exc).__name__}: {exc}"
            email.next_attempt_at = timezone.now() + backoff(email.attempts)
            if email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                email.status = OutgoingEmail.Status.FAILED
            email.save(update_fields=["attempts", "last_error", "next_attempt_at", "status"])
            return False
        email.status = OutgoingEmail.Status.SENT
        email.sent_at = timezone.now()
        email.last_error = ""
        email.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return True


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def due_email_ids(*, now=None, limit: int = 200) -> list[int]:
    """Pending emails the sweeper should (re)send: old enough, and past their backoff."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS)
    pending = OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.PENDING, created_at__lte=cutoff
    )
    ready = pending.filter(next_attempt_at__isnull=True) | pending.filter(next_attempt_at__lte=now)
    return list(ready.order_by("created_at").values_list("pk", flat=True)[:limit])
