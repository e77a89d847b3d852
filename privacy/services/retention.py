"""Retention by default (Law 25): what has outlived its purpose is destroyed or de-identified.

One plan, read from the facts, decides what goes; the dry run prints it and the real run
applies exactly it. Periods come from the environment (README, « Privacy »). Never removed:
anything of an order with a refund still pending at the provider, or of an order of the
current tax year (receipts and tax slips are issued from them).

Like the closure, these writes touch other apps' rows directly: no other app deletes by age.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from accounts.models import Family, Person, User
from activities.models import Season
from finances.models import PayerInfo
from health.models import AccompanimentRequest, HealthForm, MedicalAccessLog
from registrations.models import Order, Payment, Registration
from waitlist.models import WaitlistEntry

from ..models import DataExport

MONTH = timedelta(days=30)


@dataclass
class RetentionPlan:
    """Ids per kind of data, in the order they are applied."""

    now: datetime
    ids: dict[str, list[int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(ids) for ids in self.ids.values())


def _ended_seasons(cutoff) -> list[int]:
    """Seasons whose last week ended before ``cutoff`` (a date)."""
    return list(
        Season.objects.annotate(last_day=Max("weeks__ends_on"))
        .filter(last_day__lt=cutoff)
        .values_list("pk", flat=True)
    )


def _protected_orders(now: datetime):
    """Orders still needed: a refund pending at the provider, or of the current tax year."""
    year_start = timezone.localtime(now).replace(
        month=1, day=1, hour=0, minute=0, second=0, microsecond=0
    )
    pending_refund = Payment.objects.filter(
        order=OuterRef("pk"), kind=Payment.Kind.REFUND, status=Payment.Status.PENDING
    )
    return Order.objects.filter(
        Q(created_at__gte=year_start)
        | Q(paid_at__gte=year_start)
        | Q(Exists(pending_refund))
        | Q(payments__created_at__gte=year_start)
    )


def plan_retention(*, now: datetime | None = None) -> RetentionPlan:
    now = now or timezone.now()
    today = timezone.localdate(now)
    plan = RetentionPlan(now=now)

    health_cutoff = today - settings.RETENTION_HEALTH_MONTHS * MONTH
    old_seasons = _ended_seasons(health_cutoff)
    plan.ids["health_forms"] = list(
        HealthForm.objects.filter(season__in=old_seasons).values_list("pk", flat=True)
    )
    plan.ids["accompaniment_requests"] = list(
        AccompanimentRequest.objects.filter(season__in=old_seasons).values_list("pk", flat=True)
    )
    # Medical notes of a child with no registration in a week that ended after the cutoff.
    recent = Registration.objects.filter(person=OuterRef("pk"), week__ends_on__gte=health_cutoff)
    plan.ids["medical_notes"] = list(
        Person.objects.exclude(allergies="", medical_notes="")
        .filter(created_at__lt=now - settings.RETENTION_HEALTH_MONTHS * MONTH)
        .exclude(Exists(recent))
        .values_list("pk", flat=True)
    )

    inactive = now - settings.RETENTION_UNAPPROVED_ACCOUNT_MONTHS * MONTH
    plan.ids["unapproved_accounts"] = list(
        User.objects.filter(
            is_staff=False,
            family__status__in=[Family.Status.PENDING, Family.Status.REJECTED],
            date_joined__lt=inactive,
        )
        .filter(Q(last_login__isnull=True) | Q(last_login__lt=inactive))
        .exclude(family__orders__isnull=False)
        .values_list("pk", flat=True)
    )

    waitlist_cutoff = today - settings.RETENTION_WAITLIST_MONTHS * MONTH
    plan.ids["waitlist_entries"] = list(
        WaitlistEntry.objects.filter(
            group__week__season__in=_ended_seasons(waitlist_cutoff)
        ).values_list("pk", flat=True)
    )

    plan.ids["access_log"] = list(
        MedicalAccessLog.objects.filter(
            at__lt=now - settings.RETENTION_ACCESS_LOG_MONTHS * MONTH
        ).values_list("pk", flat=True)
    )
    plan.ids["data_exports"] = list(
        DataExport.objects.filter(expires_at__lt=now).values_list("pk", flat=True)
    )

    financial_cutoff = now - timedelta(days=365 * settings.RETENTION_FINANCIAL_YEARS)
    plan.ids["closed_accounts_orders"] = list(
        Order.objects.filter(family__closure__isnull=False, created_at__lt=financial_cutoff)
        .exclude(pk__in=_protected_orders(now).values("pk"))
        .values_list("pk", flat=True)
    )
    return plan


@transaction.atomic
def apply_retention(*, now: datetime | None = None, dry_run: bool = False) -> RetentionPlan:
    """Compute the plan and, unless ``dry_run``, apply it. Returns the plan either way."""
    plan = plan_retention(now=now)
    if dry_run:
        return plan
    ids = plan.ids
    HealthForm.objects.filter(pk__in=ids["health_forms"]).delete()
    AccompanimentRequest.objects.filter(pk__in=ids["accompaniment_requests"]).delete()
    Person.objects.filter(pk__in=ids["medical_notes"]).update(allergies="", medical_notes="")
    User.objects.filter(pk__in=ids["unapproved_accounts"]).delete()  # family, persons with it
    WaitlistEntry.objects.filter(pk__in=ids["waitlist_entries"]).delete()
    MedicalAccessLog.objects.filter(pk__in=ids["access_log"]).delete()
    DataExport.objects.filter(pk__in=ids["data_exports"]).delete()
    _delete_orders(ids["closed_accounts_orders"])
    return plan


def _delete_orders(order_ids: list[int]) -> None:
    """A closed family's old orders, then what only they kept: its persons and its file."""
    if not order_ids:
        return
    orders = Order.objects.filter(pk__in=order_ids)
    family_ids = set(orders.values_list("family_id", flat=True))
    payments = Payment.objects.filter(order__in=orders)
    payments.filter(refund_of__isnull=False).delete()
    payments.delete()
    Registration.objects.filter(order__in=orders).delete()
    orders.delete()
    for family in Family.objects.filter(pk__in=family_ids).select_related("user"):
        if not family.orders.exists():
            Person.objects.filter(family=family).delete()
            PayerInfo.objects.filter(family=family).delete()  # its tax slips are gone too
            family.user.delete()  # the family file goes with its login
        else:
            Person.objects.filter(family=family, registrations__isnull=True).delete()
