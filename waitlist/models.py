from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Family, Person
from activities.models import Group


class WaitlistEntry(models.Model):
    """A child waiting for a place in a full group. Never billed before an offer."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Place offered")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Offer expired")
        CANCELLED = "cancelled", _("Cancelled")

    family = models.ForeignKey(
        Family, verbose_name=_("family"), on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.PROTECT, related_name="waitlist_entries"
    )
    addons = models.ManyToManyField(
        Group,
        verbose_name=_("services requested"),
        blank=True,
        related_name="+",
        help_text=_("Daycare or transport of the same week, priced only when an offer is made."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.WAITING, db_index=True
    )
    # Defines the position in line; staff move an entry by changing it.
    queued_at = models.DateTimeField(_("position in line"), default=timezone.now, db_index=True)
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    language = models.CharField(_("language"), max_length=8, default="fr")
    offer_order = models.ForeignKey(
        "registrations.Order",
        verbose_name=_("offer order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="waitlist_entries",
    )
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting-list entries")
        ordering = ["group", "queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "group"],
                condition=Q(status__in=("waiting", "offered")),
                name="waitlist_once_per_group",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False),
                name="waitlist_offer_has_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.group}"


class WaitlistEvent(models.Model):
    """Audit trail: every promotion, move, expiry and decline, with who and when."""

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("waiting-list event")
        verbose_name_plural = _("waiting-list events")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.action} — {self.entry}"


class FreePlaceAlert(models.Model):
    """The free places staff were last told of for a group, so that the sweep sends one
    email per freed place rather than one a minute. Deleted when the line is served."""

    group = models.OneToOneField(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="+"
    )
    free = models.PositiveIntegerField(_("free places announced"))
    sent_at = models.DateTimeField(_("sent at"), auto_now=True)

    class Meta:
        verbose_name = _("free-place alert")
        verbose_name_plural = _("free-place alerts")

    def __str__(self) -> str:
        return f"{self.group}: {self.free}"
