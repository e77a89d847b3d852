"""The camp's own side, for staff only: attendance, monitors' groups, messages to families.

This app sits above ``waitlist``: it reads every app's models and calls their services.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Person
from activities.models import Group, Week


class Attendance(models.Model):
    """One child in one group on one day. Marks are idempotent: the first arrival and the
    first departure keep their time; marking again does not move them."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        LEFT = "left", _("Left")

    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="attendances"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("child"), on_delete=models.CASCADE, related_name="attendances"
    )
    day = models.DateField(_("day"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    left_with = models.CharField(_("left with"), max_length=200, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["day", "person__last_name", "person__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "person", "day"], name="attendance_once"),
        ]
        permissions = [
            ("take_attendance", _("Can take the attendance of their own groups")),
            ("take_any_attendance", _("Can take the attendance of any group")),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.day} — {self.get_status_display()}"


class MonitorAssignment(models.Model):
    """Which monitor takes which group's attendance (and sees its children's flags)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("monitor"),
        on_delete=models.CASCADE,
        related_name="monitor_assignments",
    )
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="monitors"
    )

    class Meta:
        verbose_name = _("monitor assignment")
        verbose_name_plural = _("monitor assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "group"], name="monitor_assignment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.group}"


class GroupPage(Group):
    """The group page of the admin: everything about one group in one place."""

    class Meta:
        proxy = True
        verbose_name = _("group page")
        verbose_name_plural = _("group pages")
        permissions = [("view_season_dashboard", _("Can view the season dashboard"))]


class FamilyMessage(models.Model):
    """A service message written once by a clerk and sent to every family of an audience."""

    class Audience(models.TextChoices):
        GROUP = "group", _("Families of a group")
        WEEK = "week", _("Families of a week")
        WAITLIST = "waitlist", _("Families waiting for a group")

    audience = models.CharField(_("audience"), max_length=8, choices=Audience.choices)
    group = models.ForeignKey(
        Group, verbose_name=_("group"), null=True, blank=True, on_delete=models.PROTECT
    )
    week = models.ForeignKey(
        Week, verbose_name=_("week"), null=True, blank=True, on_delete=models.PROTECT
    )
    subject_fr = models.CharField(_("subject (French)"), max_length=200)
    body_fr = models.TextField(_("message (French)"))
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    body_en = models.TextField(_("message (English)"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.PositiveIntegerField(_("families reached"), default=0)

    class Meta:
        verbose_name = _("message to families")
        verbose_name_plural = _("messages to families")
        ordering = ["-sent_at"]
        permissions = [("send_family_message", _("Can write to the families of a group"))]

    def __str__(self) -> str:
        return self.subject_fr
