"""Law 25 records: data exports, account closures and the confidentiality incident register.

The access log of medical data lives beside the data, in ``health.MedicalAccessLog``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Family


class DataExport(models.Model):
    """Everything the portal holds about one family, built by a task, downloadable until
    ``expires_at`` through an unguessable token (and only by its family or the staff member
    who asked for it)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    family = models.ForeignKey(
        Family,
        verbose_name=_("family"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="data_exports",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by_staff = models.BooleanField(_("asked by staff"), default=False)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link expires at"))
    content_json = models.TextField(blank=True, editable=False)
    content_html = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(by_staff=False) | ~models.Q(reason=""),
                name="privacy_staff_export_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.family or '—'} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def downloadable(self) -> bool:
        return self.status == self.Status.READY and not self.is_expired


class AccountClosure(models.Model):
    """That a family closed its account, and when: never what was deleted."""

    family = models.OneToOneField(
        Family,
        verbose_name=_("family file (de-identified)"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="closure",
    )
    closed_at = models.DateTimeField(_("closed at"), default=timezone.now)
    requested_by_family = models.BooleanField(_("asked by the family"), default=True)

    class Meta:
        verbose_name = _("account closure")
        verbose_name_plural = _("account closures")
        ordering = ["-closed_at"]

    def __str__(self) -> str:
        return _("Closure of %(date)s") % {"date": f"{self.closed_at:%Y-%m-%d}"}


class Incident(models.Model):
    """The register of confidentiality incidents that the law asks every organisation to keep."""

    class Risk(models.TextChoices):
        LOW = "low", _("No risk of serious injury")
        SERIOUS = "serious", _("Risk of serious injury")

    occurred_at = models.DateTimeField(_("occurred at (or estimate)"))
    discovered_at = models.DateTimeField(_("discovered at"))
    nature = models.TextField(_("what happened"), max_length=4000)
    information_concerned = models.TextField(_("personal information concerned"), max_length=4000)
    persons_affected = models.TextField(
        _("persons affected"),
        max_length=4000,
        help_text=_("Who and how many, or an estimate when unknown."),
    )
    risk = models.CharField(_("risk assessment"), max_length=10, choices=Risk.choices)
    risk_assessment = models.TextField(
        _("why this risk"),
        max_length=4000,
        help_text=_("Sensitivity of the information, likely misuse, likely consequences."),
    )
    measures = models.TextField(_("measures taken"), max_length=4000, blank=True)
    commission_notified_at = models.DateTimeField(
        _("Commission d'accès à l'information notified at"), null=True, blank=True
    )
    persons_notified_at = models.DateTimeField(_("persons notified at"), null=True, blank=True)
    notifications = models.TextField(_("other notifications made"), max_length=4000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("confidentiality incident")
        verbose_name_plural = _("confidentiality incidents")
        ordering = ["-discovered_at"]

    def __str__(self) -> str:
        return f"{self.discovered_at:%Y-%m-%d} — {self.nature[:60]}"
