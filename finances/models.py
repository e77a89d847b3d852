"""Money and tax records staff keep for the town: the payer of a family's childcare expenses
(for the Relevé 24) and the date each year's slips open to families."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Family
from portal.crypto import EncryptedTextField, mask


class PayerInfo(models.Model):
    """Who paid the childcare expenses, as the Relevé 24 names them: one per family.

    The social insurance number is stored encrypted (``FIELD_ENCRYPTION_KEY``); pages show it
    masked, and only the RL-24 slip, the staff RL-24 export and staff holding
    ``finances.view_sin`` (« Finances ») see it in clear."""

    family = models.OneToOneField(
        Family, verbose_name=_("family"), on_delete=models.CASCADE, related_name="payer_info"
    )
    first_name = models.CharField(_("payer's first name"), max_length=100)
    last_name = models.CharField(_("payer's last name"), max_length=100)
    address = models.CharField(_("address"), max_length=255)
    city = models.CharField(_("city"), max_length=100)
    postal_code = models.CharField(_("postal code"), max_length=7)
    sin = EncryptedTextField(_("social insurance number"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("RL-24 payer")
        verbose_name_plural = _("RL-24 payers")
        permissions = [
            ("view_sin", _("Can see social insurance numbers in clear")),
            ("export_rl24", _("Can export the RL-24 slips of a year")),
            ("export_journal", _("Can export the journal of payments and refunds")),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(sin=""), name="payer_info_sin_required"),
            models.CheckConstraint(
                condition=~Q(first_name="") & ~Q(last_name=""), name="payer_info_name_required"
            ),
        ]

    def __str__(self) -> str:
        # Never the number: this string lands in the admin's history and in logs.
        return f"{self.first_name} {self.last_name}"

    @property
    def sin_masked(self) -> str:
        return mask(self.sin, visible=3)

    @property
    def sin_formatted(self) -> str:
        """« 046 454 286 », the card's layout (for the slip and the Finances export)."""
        s = self.sin
        return f"{s[0:3]} {s[3:6]} {s[6:9]}" if len(s) == 9 else s


class Rl24Release(models.Model):
    """From when families may download the Relevé 24 of a tax year (set by « Finances »,
    once the year's payments are final; the law's deadline is the last day of February)."""

    year = models.PositiveSmallIntegerField(
        _("tax year"), primary_key=True, validators=[MinValueValidator(2000)]
    )
    available_from = models.DateField(_("RL-24 available from"))

    class Meta:
        verbose_name = _("RL-24 release date")
        verbose_name_plural = _("RL-24 release dates")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=2000), name="rl24_release_year_sane"),
        ]

    def __str__(self) -> str:
        return str(self.year)
