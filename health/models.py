"""The health form (« fiche santé »), consents and accompaniment requests, per child and season.

Above ``activities`` (a form belongs to a season) and below ``registrations``, whose checkout
asks :func:`health.selectors.missing_health_forms` which forms are still missing.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Person, phone_validator
from activities.models import Season
from portal.crypto import EncryptedTextField


class SeasonHealthPolicy(models.Model):
    """What a season asks of families before camp: kept beside the season, set by staff."""

    class Requirement(models.TextChoices):
        BEFORE_CHECKOUT = "before_checkout", _("Required before checkout")
        BEFORE_FIRST_DAY = "before_first_day", _("Required before the first day")

    season = models.OneToOneField(
        Season, verbose_name=_("season"), on_delete=models.CASCADE, related_name="health_policy"
    )
    health_form = models.CharField(
        _("health form"),
        max_length=20,
        choices=Requirement.choices,
        default=Requirement.BEFORE_FIRST_DAY,
    )
    accompaniment_deadline = models.DateTimeField(
        _("accompaniment request deadline"),
        null=True,
        blank=True,
        help_text=_("Families may ask for an accompanying person until this moment."),
    )

    class Meta:
        verbose_name = _("season health settings")
        verbose_name_plural = _("season health settings")

    def __str__(self) -> str:
        return str(self.season)


class HealthForm(models.Model):
    """One child's health form and consents for one season, signed by a guardian."""

    class Severity(models.TextChoices):
        NONE = "none", _("No allergy")
        MILD = "mild", _("Mild")
        MODERATE = "moderate", _("Moderate")
        SEVERE = "severe", _("Severe (anaphylaxis)")

    class Swimming(models.TextChoices):
        NON_SWIMMER = "non_swimmer", _("Does not swim")
        WITH_AID = "with_aid", _("Swims with a flotation aid")
        SWIMMER = "swimmer", _("Swims without help")

    person = models.ForeignKey(
        Person, verbose_name=_("child"), on_delete=models.CASCADE, related_name="health_forms"
    )
    season = models.ForeignKey(
        Season, verbose_name=_("season"), on_delete=models.CASCADE, related_name="health_forms"
    )
    health_insurance_number = EncryptedTextField(_("health-insurance number"), blank=True)
    allergies = models.TextField(_("allergies"), blank=True)
    allergy_severity = models.CharField(
        _("allergy severity"), max_length=10, choices=Severity.choices, default=Severity.NONE
    )
    epinephrine = models.BooleanField(_("carries an epinephrine auto-injector"), default=False)
    medications = models.TextField(_("medications"), blank=True)
    conditions = models.TextField(_("health conditions"), blank=True)
    swimming = models.CharField(
        _("swimming level"), max_length=12, choices=Swimming.choices, default=Swimming.NON_SWIMMER
    )
    consent_photos = models.BooleanField(_("photos may be taken and published"))
    consent_sunscreen = models.BooleanField(_("staff may apply sunscreen"))
    consent_first_aid = models.BooleanField(_("staff may give first aid"))
    consent_leave_alone = models.BooleanField(_("may leave alone at the end of the day"))
    signed_by = models.CharField(_("signed by (guardian)"), max_length=200)
    signed_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed from the account"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("health form")
        verbose_name_plural = _("health forms")
        ordering = ["season", "person__last_name", "person__first_name"]
        # Allergies, medical notes and health forms on staff pages and rosters: only the
        # roles whose job needs them (« Animation »).
        permissions = [("view_medical_data", _("Can see children's medical data"))]
        constraints = [
            models.UniqueConstraint(fields=["person", "season"], name="health_form_once"),
            models.CheckConstraint(
                condition=~Q(allergy_severity="none") | Q(epinephrine=False),
                name="health_form_epinephrine_needs_allergy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.season}"

    @property
    def has_allergy(self) -> bool:
        return self.allergy_severity != self.Severity.NONE or bool(self.allergies.strip())


# What the guardian answers and signs on the form (the insurance number apart: it is kept
# when left blank): the family's page, the service that saves it and the clerk's view. The
# health facts are offered again from the child's previous form; consents never are.
HEALTH_FACTS = (
    "allergies",
    "allergy_severity",
    "epinephrine",
    "medications",
    "conditions",
    "swimming",
)
HEALTH_CONSENTS = (
    "consent_photos",
    "consent_sunscreen",
    "consent_first_aid",
    "consent_leave_alone",
)
HEALTH_FORM_ANSWERS = (*HEALTH_FACTS, *HEALTH_CONSENTS, "signed_by")


class EmergencyContact(models.Model):
    form = models.ForeignKey(HealthForm, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    relationship = models.CharField(_("relationship to the child"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, validators=[phone_validator])
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("emergency contact")
        verbose_name_plural = _("emergency contacts")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.phone})"


class AccompanimentRequest(models.Model):
    """A family asks for an accompanying person (« accompagnateur ») for a child with needs."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        MORE_INFO = "more_info", _("More information needed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    person = models.ForeignKey(
        Person,
        verbose_name=_("child"),
        on_delete=models.CASCADE,
        related_name="accompaniment_requests",
    )
    season = models.ForeignKey(
        Season,
        verbose_name=_("season"),
        on_delete=models.CASCADE,
        related_name="accompaniment_requests",
    )
    needs = models.TextField(_("what the camp should know"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    staff_note = models.TextField(_("note to the family"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("accompaniment request")
        verbose_name_plural = _("accompaniment requests")
        ordering = ["season", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["person", "season"], name="accompaniment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.season}"


class ChildMedicalNotes(Person):
    """A child's allergies, medical notes and pick-up persons, as staff read them in the admin:
    only with ``health.view_medical_data``, and every opened page is logged."""

    class Meta:
        proxy = True
        verbose_name = _("child's medical notes")
        verbose_name_plural = _("children's medical notes")


class MedicalAccessLog(models.Model):
    """Every staff look at, or export of, a child's medical data (Law 25): who, when, what and
    why. Readable by « Administration » only; kept ``RETENTION_ACCESS_LOG_MONTHS``."""

    class Kind(models.TextChoices):
        MEDICAL_NOTES = "medical_notes", _("Medical notes")
        HEALTH_FORM = "health_form", _("Health form")
        ROSTER = "roster", _("Roster with medical columns")
        ATTENDANCE = "attendance", _("Attendance sheet")
        GROUP_PAGE = "group_page", _("Group page")
        FAMILY_EXPORT = "family_export", _("Family data export")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT
    )
    # Kept when the child's file is deleted (closure, retention): that a look happened stays.
    person = models.ForeignKey(
        Person, verbose_name=_("child"), null=True, on_delete=models.SET_NULL
    )
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices, blank=True)
    context = models.CharField(_("where"), max_length=200)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("medical data access")
        verbose_name_plural = _("medical data accesses")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} — {self.person or '—'} — {self.context}"
