from django.db import models
from django.utils.translation import gettext_lazy as _


class OutgoingEmail(models.Model):
    """One row per email: written with its cause, sent after commit, swept until sent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    to = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="fr")
    kind = models.CharField(_("kind"), max_length=64, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # An email rendered by the worker just before sending (``emails.queue_email_to_render``):
    # the template, the function that rebuilds its context, and that function's arguments.
    template = models.CharField(_("template"), max_length=100, blank=True)
    render_with = models.CharField(_("context built by"), max_length=200, blank=True)
    render_arguments = models.JSONField(_("context arguments"), default=dict, blank=True)
    key_redacted = models.BooleanField(
        _("one-time key not kept"),
        default=False,
        help_text=_(
            "The email carried a login, reset or confirmation key: it was sent from memory "
            "and its body was never stored."
        ),
    )

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="outbox_status_created")]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"

    @property
    def awaits_rendering(self) -> bool:
        return bool(self.render_with) and not self.body_text
