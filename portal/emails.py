"""The outbox: every email is a row written in the cause's transaction, then sent by Celery."""

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context, engines
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from .compiled import CompiledQuery
from .errors import DomainError
from .models import OutgoingEmail

logger = logging.getLogger(__name__)


def queue_email(
    *, to: str, template: str, context: dict, language: str = "fr", kind: str = ""
) -> OutgoingEmail:
    """Render ``emails/<template>_subject.txt``, ``.txt`` and ``.html`` and queue them.

    Call it inside the transaction that causes the email: the row commits or
    rolls back with it, and the send is enqueued only after commit.
    """
    subject, body_text, body_html = render_email(template, context, language=language)
    return queue_rendered_email(
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        language=language,
        kind=kind or template,
    )


def email_context(context: dict) -> dict:
    """What every email's layout needs: the town, its contact, and the family's file."""
    return {
        "municipality_name": settings.MUNICIPALITY_NAME,
        "municipality_contact": settings.MUNICIPALITY_CONTACT,
        "site_url": settings.SITE_URL,
        "dossier_url": settings.SITE_URL + reverse("accounts:dossier"),
        **context,
    }


def render_email(template: str, context: dict, *, language: str) -> tuple[str, str, str]:
    """Subject, text and HTML of ``emails/<template>``, in one language and one layout: the
    HTML extends ``emails/base.html``; the text part gets ``emails/_footer.txt`` (town,
    contact, « Mon dossier ») so every email is signed the same way."""
    context = email_context(context)
    with translation.override(language):
        subject = render_plain_text(f"emails/{template}_subject.txt", context).strip()
        body_text = render_plain_text(f"emails/{template}.txt", context).rstrip()
        footer = render_plain_text("emails/_footer.txt", context).strip()
        body_html = render_to_string(f"emails/{template}.html", context)
    return " ".join(subject.split()), f"{body_text}\n\n-- \n{footer}\n", body_html


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


def email_context_builder(function: Callable[..., dict]) -> Callable[..., dict]:
    """Marks a function that rebuilds an email's context for the worker. An outbox row names
    its builder by dotted path; only a function marked here is ever called from a row."""
    function.builds_email_context = True
    return function


def queue_email_to_render(
    *,
    to: str,
    template: str,
    builder: Callable[..., dict],
    arguments: dict,
    language: str = "fr",
    kind: str = "",
) -> OutgoingEmail:
    """Like ``queue_email``, but rendered by the worker just before it is sent: the request
    that causes it (a payment on opening night) only writes the row. The worker calls
    ``builder(**arguments)`` for the context; ``arguments`` are plain JSON (ids, not objects),
    so the email says what is true when it is rendered, seconds later."""
    if not getattr(builder, "builds_email_context", False):
        raise ValueError(f"{builder!r} is not marked with @email_context_builder")
    email = OutgoingEmail.objects.create(
        to=to,
        subject="",
        body_text="",
        language=language,
        kind=kind or template,
        template=template,
        render_with=f"{builder.__module__}.{builder.__qualname__}",
        render_arguments=arguments,
    )
    transaction.on_commit(lambda: enqueue_delivery(email.pk))
    return email


def render_stored(email: OutgoingEmail) -> None:
    """The worker's half of ``queue_email_to_render``: subject and bodies, kept on the row
    (staff read them in the outbox, a retry sends the same text)."""
    builder = import_string(email.render_with)
    if not getattr(builder, "builds_email_context", False):
        raise ValueError(f"{email.render_with} is not an email context builder")
    context = builder(**email.render_arguments)
    email.subject, email.body_text, email.body_html = render_email(
        email.template, context, language=email.language
    )


def send_key_email(
    *, to: str, subject: str, body_text: str, body_html: str = "", language: str, kind: str
) -> OutgoingEmail:
    """An email carrying a login, reset or confirmation key: the outbox keeps a row saying it
    was sent (who, when, which kind) but never the key, so nobody reading the outbox can use
    it. The message itself stays in memory and is sent once after commit; if SMTP refuses,
    the row says so and the person simply asks for a new link."""
    with translation.override(language):
        placeholder = gettext(
            "[This email carried a one-time link or code: its body is not kept in the outbox.]"
        )
    email = OutgoingEmail.objects.create(
        to=to,
        subject=" ".join(subject.split()),
        body_text=placeholder,
        language=language,
        kind=kind,
        key_redacted=True,
    )
    message = _message(to=to, subject=email.subject, body_text=body_text, body_html=body_html)
    transaction.on_commit(lambda: _send_from_memory(email.pk, message))
    return email


def _send_from_memory(email_id: int, message: EmailMultiAlternatives) -> None:
    outbox = OutgoingEmail.objects.filter(pk=email_id, status=OutgoingEmail.Status.PENDING)
    try:
        message.send()
    except Exception as exc:
        logger.warning("Email %s with a one-time key not sent", email_id, exc_info=True)
        outbox.update(
            status=OutgoingEmail.Status.FAILED, attempts=1, last_error=f"{type(exc).__name__}"
        )
        return
    outbox.update(status=OutgoingEmail.Status.SENT, attempts=1, sent_at=timezone.now())


def _message(*, to: str, subject: str, body_text: str, body_html: str) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject, body=body_text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    if body_html:
        message.attach_alternative(body_html, "text/html")
    return message


def enqueue_delivery(email_id: int) -> None:
    """Hand the email to Celery; if the broker is down the sweeper sends it later."""
    from .tasks import send_outgoing_email

    try:
        send_outgoing_email.apply_async((email_id,), retry=False)
    except Exception:  # broker unreachable: the row stays pending, nothing fails for the user
        logger.warning("Broker unreachable; email %s left for the sweeper", email_id, exc_info=True)


def resend(emails) -> list[int]:
    """Staff ask again: failed emails go back to pending and each unsent one is re-enqueued."""
    unsent = emails.exclude(status=OutgoingEmail.Status.SENT).exclude(key_redacted=True)
    ids = list(unsent.values_list("pk", flat=True))
    OutgoingEmail.objects.filter(pk__in=ids, status=OutgoingEmail.Status.FAILED).update(
        status=OutgoingEmail.Status.PENDING, next_attempt_at=None
    )
    for email_id in ids:
        enqueue_delivery(email_id)
    return ids


# Every email the worker sends starts here: compiled once per process (``portal.compiled``).
_PENDING_ROW = CompiledQuery(
    lambda *, email_id: OutgoingEmail.objects.select_for_update(skip_locked=True).filter(
        pk=email_id, status=OutgoingEmail.Status.PENDING, key_redacted=False
    )[:1]
)


def deliver(email_id: int) -> bool:
    """Send one pending email once. Returns True when it is (or already was) sent."""
    with transaction.atomic():
        email = _PENDING_ROW.first(email_id=email_id)
        if email is None:
            return OutgoingEmail.objects.filter(
                pk=email_id, status=OutgoingEmail.Status.SENT
            ).exists()
        email.attempts += 1
        rendered = ["subject", "body_text", "body_html"] if email.awaits_rendering else []
        try:
            if rendered:
                render_stored(email)
            _message(
                to=email.to,
                subject=email.subject,
                body_text=email.body_text,
                body_html=email.body_html,
            ).send()
        except Exception as exc:
            logger.warning("Email %s not sent", email_id, exc_info=True)
            email.last_error = f"{type(exc).__name__}: {exc}"
            email.next_attempt_at = timezone.now() + backoff(email.attempts)
            if email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                email.status = OutgoingEmail.Status.FAILED
            kept = rendered if not email.awaits_rendering else []  # rendered, then SMTP failed
            email.save(update_fields=["attempts", "last_error", "next_attempt_at", "status", *kept])
            return False
        email.status = OutgoingEmail.Status.SENT
        email.sent_at = timezone.now()
        email.last_error = ""
        email.save(update_fields=["attempts", "status", "sent_at", "last_error", *rendered])
        return True


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def due_email_ids(*, now=None, limit: int = 200) -> list[int]:
    """Pending emails the sweeper should (re)send: old enough, and past their backoff."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS)
    pending = OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.PENDING, created_at__lte=cutoff, key_redacted=False
    )
    ready = pending.filter(next_attempt_at__isnull=True) | pending.filter(next_attempt_at__lte=now)
    return list(ready.order_by("created_at").values_list("pk", flat=True)[:limit])


def fail_lost_key_emails(*, now=None) -> int:
    """A key email whose process died before sending stays pending forever (its body was never
    stored): after the sweep delay it is marked failed, so staff see it was not sent."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS)
    return OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.PENDING, key_redacted=True, created_at__lte=cutoff
    ).update(status=OutgoingEmail.Status.FAILED, last_error="not sent; the key was not kept")


def purge_sent_bodies(*, now=None) -> int:
    """Bodies of sent emails (names, children, amounts) are kept only as long as staff may need
    to answer a question about them: OUTBOX_BODY_RETENTION_DAYS. The row itself stays."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.OUTBOX_BODY_RETENTION_DAYS)
    return (
        OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT, sent_at__lt=cutoff)
        .exclude(body_text="", body_html="", render_with="")
        .update(body_text="", body_html="", render_with="", render_arguments={})
    )


# What a family may have sent again from « Mon dossier »: the emails it acts on.
RESENDABLE_KINDS = frozenset({"order_confirmation", "waitlist_offer"})
RESENT_SUFFIX = "_resent"
RESENDS_PER_HOUR = 3


def family_emails(*, address: str, limit: int = 50):
    """The emails sent to one address, newest first, for its delivery log. Only the subject,
    the date and the status are read: never a body (a reset link's body is not even kept)."""
    return (
        OutgoingEmail.objects.filter(to__iexact=address)
        .only("pk", "to", "subject", "kind", "status", "created_at", "key_redacted")
        .order_by("-created_at", "-pk")[:limit]
    )


def can_resend(email: OutgoingEmail) -> bool:
    return email.kind.removesuffix(RESENT_SUFFIX) in RESENDABLE_KINDS and not email.key_redacted


def resend_to_family(*, email_id: int, address: str, now=None) -> OutgoingEmail:
    """A family asks again for its confirmation or its offer: a copy of the stored email is
    queued to the same address. At most RESENDS_PER_HOUR copies an hour; a body already
    purged (OUTBOX_BODY_RETENTION_DAYS) cannot be sent again."""
    now = now or timezone.now()
    email = OutgoingEmail.objects.filter(pk=email_id, to__iexact=address).first()
    if email is None or not can_resend(email):
        raise DomainError(gettext("This email cannot be sent again."), code="not_resendable")
    if not email.body_text and not email.body_html and not email.awaits_rendering:
        raise DomainError(
            gettext("This email is too old to be sent again: contact the recreation department."),
            code="purged",
        )
    recent = OutgoingEmail.objects.filter(
        to__iexact=address,
        kind__endswith=RESENT_SUFFIX,
        created_at__gte=now - timedelta(hours=1),
    ).count()
    if recent >= RESENDS_PER_HOUR:
        raise DomainError(
            gettext("You asked for several emails in the last hour: try again later."),
            code="rate_limited",
        )
    kind = email.kind.removesuffix(RESENT_SUFFIX) + RESENT_SUFFIX
    with transaction.atomic():
        if email.awaits_rendering:  # asked again before the worker sent the first
            return queue_email_to_render(
                to=email.to,
                template=email.template,
                builder=import_string(email.render_with),
                arguments=email.render_arguments,
                language=email.language,
                kind=kind,
            )
        return queue_rendered_email(
            to=email.to,
            subject=email.subject,
            body_text=email.body_text,
            body_html=email.body_html,
            language=email.language,
            kind=kind,
        )
