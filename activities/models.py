import functools
from datetime import date
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Season(models.Model):
    """A registration period, e.g. "Camps de jour — Été 2027"."""

    class ReductionKind(models.TextChoices):
        AMOUNT = "amount", _("Amount off the week's price ($)")
        PERCENT = "percent", _("Percentage off the week's price (%)")

    name = models.CharField(_("name"), max_length=200)
    opens_at = models.DateTimeField(_("registration opens (residents)"))
    opens_at_nonresident = models.DateTimeField(_("registration opens (non-residents)"))
    closes_at = models.DateTimeField(_("registration closes"))
    age_reference_date = models.DateField(
        _("age reference date"), help_text=_("Ages are computed on this date.")
    )
    offer_window_hours = models.PositiveIntegerField(
        _("waiting-list offer window (hours)"), default=48
    )
    auto_promote = models.BooleanField(
        _("automatic promotion from the waiting list"), default=False
    )
    prepared_carts = models.BooleanField(
        _("carts may be prepared before the opening"),
        default=True,
        help_text=_("Families fill their cart before the opening; nothing is reserved."),
    )
    # The opening-night waiting room, around each opening (residents, non-residents).
    waiting_room_minutes_before = models.PositiveIntegerField(
        _("waiting room opens (minutes before each opening)"),
        default=30,
        help_text=_("0: no waiting room for this season."),
    )
    waiting_room_minutes_after = models.PositiveIntegerField(
        _("waiting room stays (minutes after each opening)"), default=120
    )
    max_active_families = models.PositiveIntegerField(
        _("families registering at once"),
        default=200,
        help_text=_("How many families the waiting room lets in at the same time."),
    )
    active_idle_minutes = models.PositiveIntegerField(
        _("an admitted family's pass lapses after (idle minutes)"), default=10
    )
    # The refund policy families cancel under (« Mon dossier »): a clerk may still override.
    refund_until_days = models.PositiveIntegerField(
        _("full refund until (days before the week starts)"),
        default=7,
        help_text=_(
            "A family that cancels at least this many days before the week starts is "
            "refunded, minus the administration fee; later, nothing is refunded."
        ),
    )
    refund_admin_fee = models.DecimalField(
        _("administration fee on a cancellation"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_("Kept once per cancelled line (one child, one week, with its services)."),
    )
    # Family pricing (« 1 enfant 200 $, 2e enfant 175 $, 3e enfant 150 $ »): what the 2nd
    # child and the 3rd and following pay less for a camp week; the rule that ranks the
    # children is ``registrations.pricing``. 0 everywhere: no reduction.
    family_reduction_kind = models.CharField(
        _("family pricing: kind of reduction"),
        max_length=8,
        choices=ReductionKind.choices,
        default=ReductionKind.AMOUNT,
        help_text=_(
            "« 1 enfant 200 $, 2e enfant 175 $, 3e enfant 150 $ » is an amount off of 25 and "
            "50. Services (daycare, transport) are never reduced."
        ),
    )
    second_child_reduction_resident = models.DecimalField(
        _("2nd child's reduction (residents)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
    )
    third_child_reduction_resident = models.DecimalField(
        _("3rd and following children's reduction (residents)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
    )
    second_child_reduction_nonresident = models.DecimalField(
        _("2nd child's reduction (non-residents)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
    )
    third_child_reduction_nonresident = models.DecimalField(
        _("3rd and following children's reduction (non-residents)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
    )

    class Meta:
        verbose_name = _("season")
        verbose_name_plural = _("seasons")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="season_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(refund_admin_fee__gte=0), name="season_refund_fee_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(second_child_reduction_resident__gte=0)
                & Q(third_child_reduction_resident__gte=0)
                & Q(second_child_reduction_nonresident__gte=0)
                & Q(third_child_reduction_nonresident__gte=0),
                name="season_family_reductions_not_negative",
                violation_error_message=_("A family-pricing reduction cannot be negative."),
            ),
            models.CheckConstraint(
                condition=~Q(family_reduction_kind="percent")
                | (
                    Q(second_child_reduction_resident__lte=100)
                    & Q(third_child_reduction_resident__lte=100)
                    & Q(second_child_reduction_nonresident__lte=100)
                    & Q(third_child_reduction_nonresident__lte=100)
                ),
                name="season_family_percentages_at_most_100",
                violation_error_message=_("A percentage off cannot be more than 100."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Week(models.Model):
    season = models.ForeignKey(
        Season, verbose_name=_("season"), on_delete=models.CASCADE, related_name="weeks"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))

    class Meta:
        verbose_name = _("week")
        verbose_name_plural = _("weeks")
        ordering = ["season", "number"]
        constraints = [
            models.UniqueConstraint(fields=["season", "number"], name="week_unique_number"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="week_dates_order"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """« Semaine 1 : 28 juin au 2 juillet »."""
        return _week_label(self.number, self.starts_on, self.ends_on, get_language())


@functools.lru_cache(maxsize=2048)
def _week_label(number: int, starts_on: date, ends_on: date, language: str | None) -> str:
    """Once per week and language: a cart or an email shows it on every line, and formatting
    two dates costs more than the rest of the line."""
    from django.utils.translation import gettext

    return gettext("Week %(number)s: %(start)s to %(end)s") % {
        "number": number,
        "start": formats.date_format(starts_on, "MONTH_DAY_FORMAT"),
        "end": formats.date_format(ends_on, "MONTH_DAY_FORMAT"),
    }


class Activity(models.Model):
    class Kind(models.TextChoices):
        CAMP = "camp", _("Day camp")
        DAYCARE = "daycare", _("Daycare service")
        TRANSPORT = "transport", _("Bike transport")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    site = models.CharField(_("site"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        """« Camp de jour », « Service de garde »…: what ``get_kind_display`` says, without
        rebuilding and hashing every choice's lazy label at each call (an email names the
        kind of each of its lines twice)."""
        return str(self.Kind(self.kind).label)

    @property
    def is_service(self) -> bool:
        """Daycare and transport are add-ons that need a camp the same week."""
        return self.kind != self.Kind.CAMP


class Group(models.Model):
    """An activity in a given week: the unit that has places and prices."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="groups"
    )
    week = models.ForeignKey(
        Week, verbose_name=_("week"), on_delete=models.PROTECT, related_name="groups"
    )
    capacity = models.PositiveIntegerField(_("capacity"))
    price_resident = models.DecimalField(_("resident price"), max_digits=8, decimal_places=2)
    price_nonresident = models.DecimalField(_("non-resident price"), max_digits=8, decimal_places=2)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=0)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), default=99)

    class Meta:
        verbose_name = _("camp group")
        verbose_name_plural = _("camp groups")
        ordering = ["week__season", "week__number", "activity__kind", "min_age", "activity__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "week"], name="group_one_per_activity_week"
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=0), name="group_capacity_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(price_resident__gte=Decimal("0"))
                & Q(price_nonresident__gte=Decimal("0")),
                name="group_prices_not_negative",
            ),
            models.CheckConstraint(condition=Q(min_age__lte=F("max_age")), name="group_age_range"),
        ]

    def __str__(self) -> str:
        return f"{self.activity.name} — {self.week.label}"

    def price_for(self, *, is_resident: bool) -> Decimal:
        return self.price_resident if is_resident else self.price_nonresident
