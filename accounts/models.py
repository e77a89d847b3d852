from datetime import date

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A login. The email is the identifier; parents reach their dossier via ``user.family``."""

    username = None
    email = models.EmailField(_("email address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email


postal_code_validator = RegexValidator(
    r"^[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d$",
    _("Enter a Canadian postal code, for example H2X 1Y4."),
)
phone_validator = RegexValidator(
    r"^[0-9 ()+.\-]{10,20}$", _("Enter a phone number, for example 819 555-0100.")
)


class Family(models.Model):
    """The family file ("dossier famille"): approved by staff before any registration."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class Language(models.TextChoices):
        FRENCH = "fr", _("French")
        ENGLISH = "en", _("English")

    user = models.OneToOneField(
        User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="family"
    )
    guardian_first_name = models.CharField(_("guardian's first name"), max_length=100)
    guardian_last_name = models.CharField(_("guardian's last name"), max_length=100)
    second_guardian_name = models.CharField(
        _("second guardian (full name)"), max_length=200, blank=True
    )
    address = models.CharField(_("address"), max_length=255)
    city = models.CharField(_("city"), max_length=100)
    postal_code = models.CharField(
        _("postal code"), max_length=7, validators=[postal_code_validator]
    )
    phone = models.CharField(_("phone"), max_length=20, validators=[phone_validator])
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    is_resident = models.BooleanField(
        _("resident"), default=False, help_text=_("Set by staff after checking the address.")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    approved_by = models.ForeignKey(
        User,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), max_length=2000, blank=True)
    residency_review_since = models.DateTimeField(
        _("residency to review since"),
        null=True,
        blank=True,
        help_text=_("The address changed after approval: staff confirm the residency again."),
    )
    privacy_policy_version = models.CharField(
        _("privacy policy accepted (version)"), max_length=20, blank=True
    )
    privacy_policy_accepted_at = models.DateTimeField(
        _("privacy policy accepted at"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("family")
        verbose_name_plural = _("families")
        ordering = ["guardian_last_name", "guardian_first_name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(rejection_reason=""),
                name="family_rejection_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.guardian_last_name}, {self.guardian_first_name}"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class Person(models.Model):
    """A member of a family: the children who go to camp, and the adults."""

    class Relationship(models.TextChoices):
        CHILD = "child", _("Child")
        ADULT = "adult", _("Adult")

    family = models.ForeignKey(
        Family, verbose_name=_("family"), on_delete=models.CASCADE, related_name="persons"
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("birth date"))
    relationship = models.CharField(
        _("relationship"), max_length=8, choices=Relationship.choices, default=Relationship.CHILD
    )
    # Free text a parent types: bounded, so a 2 MB paste is a form error, not a stored blob.
    allergies = models.TextField(_("allergies"), max_length=2000, blank=True)
    medical_notes = models.TextField(_("medical notes"), max_length=2000, blank=True)
    authorized_pickups = models.TextField(
        _("authorised pick-up persons"),
        max_length=2000,
        blank=True,
        help_text=_("Name, relationship and phone number, one person per line."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["first_name", "last_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int:
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday
