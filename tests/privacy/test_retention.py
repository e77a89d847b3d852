"""Retention: on seeded past seasons the task removes exactly what the periods say (dry run
and real run agree), and never a record still needed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Family, User
from health.models import HealthForm, MedicalAccessLog
from privacy.services import apply_retention, close_account, plan_retention
from registrations.models import Order, Payment
from tests import factories
from tests.health.factories import HealthFormFactory
from waitlist.models import WaitlistEntry

from .conftest import past_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    """A past season (2024), a current one, an old unapproved account, old log entries."""
    settings.RETENTION_HEALTH_MONTHS = 6
    settings.RETENTION_UNAPPROVED_ACCOUNT_MONTHS = 12
    settings.RETENTION_WAITLIST_MONTHS = 12
    settings.RETENTION_ACCESS_LOG_MONTHS = 24
    old_group = past_group(2024)
    current = factories.GroupFactory()
    old_form = HealthFormFactory(season=old_group.week.season)
    current_form = HealthFormFactory(season=current.week.season)
    old_entry = factories.WaitlistEntryFactory(group=old_group)
    current_entry = factories.WaitlistEntryFactory(group=current)
    stale = factories.FamilyFactory(pending=True)
    User.objects.filter(pk=stale.user_id).update(
        date_joined=timezone.now() - timedelta(days=500), last_login=None
    )
    fresh = factories.FamilyFactory(pending=True)
    clerk = factories.StaffFactory()
    old_log = MedicalAccessLog.objects.create(user=clerk, person=None, context="old")
    MedicalAccessLog.objects.filter(pk=old_log.pk).update(at=timezone.now() - timedelta(days=800))
    recent_log = MedicalAccessLog.objects.create(user=clerk, person=None, context="recent")
    return {
        "old_form": old_form,
        "current_form": current_form,
        "old_entry": old_entry,
        "current_entry": current_entry,
        "stale": stale,
        "fresh": fresh,
        "old_log": old_log,
        "recent_log": recent_log,
    }


def test_retention_removes_exactly_what_the_periods_say(seeded):
    plan = plan_retention()

    assert plan.ids["health_forms"] == [seeded["old_form"].pk]
    assert plan.ids["waitlist_entries"] == [seeded["old_entry"].pk]
    assert plan.ids["unapproved_accounts"] == [seeded["stale"].user_id]
    assert plan.ids["access_log"] == [seeded["old_log"].pk]

    applied = apply_retention()

    assert applied.ids == plan.ids
    assert list(HealthForm.objects.values_list("pk", flat=True)) == [seeded["current_form"].pk]
    assert list(WaitlistEntry.objects.values_list("pk", flat=True)) == [seeded["current_entry"].pk]
    assert not Family.objects.filter(pk=seeded["stale"].pk).exists()
    assert Family.objects.filter(pk=seeded["fresh"].pk).exists()
    assert list(MedicalAccessLog.objects.values_list("pk", flat=True)) == [seeded["recent_log"].pk]
    assert plan_retention().total == 0


def test_the_dry_run_lists_and_removes_nothing(seeded, capsys):
    call_command("apply_retention", "--dry-run")

    out = capsys.readouterr().out
    assert f"health_forms: would remove 1 ({seeded['old_form'].pk})" in out
    assert HealthForm.objects.count() == 2 and WaitlistEntry.objects.count() == 2


def _closed_family_with_old_order(*, refund_pending: bool = False, this_year: bool = False):
    family = factories.FamilyFactory()
    order = factories.OrderFactory(family=family, status=Order.Status.PAID, total=Decimal("185"))
    factories.RegistrationFactory(
        order=order, person=factories.PersonFactory(family=family), group=past_group(2015)
    )
    charge = Payment.objects.create(
        order=order, kind=Payment.Kind.CHARGE, provider="simulated", amount=Decimal("185")
    )
    if refund_pending:
        Payment.objects.create(
            order=order,
            kind=Payment.Kind.REFUND,
            refund_of=charge,
            status=Payment.Status.PENDING,
            provider="simulated",
            amount=Decimal("185"),
        )
    if not this_year:
        old = timezone.now() - timedelta(days=365 * 9)
        Order.objects.filter(pk=order.pk).update(created_at=old, paid_at=old)
        Payment.objects.filter(order=order).update(created_at=old)
    close_account(family=family)
    return order


def test_old_orders_of_closed_accounts_go_after_the_financial_period(settings):
    settings.RETENTION_FINANCIAL_YEARS = 7
    order = _closed_family_with_old_order()

    apply_retention()

    assert not Order.objects.filter(pk=order.pk).exists()
    assert not Family.objects.filter(pk=order.family_id).exists()


def test_never_removed_a_refund_still_pending_or_an_order_of_this_tax_year(settings):
    settings.RETENTION_FINANCIAL_YEARS = 0
    unpaid_refund = _closed_family_with_old_order(refund_pending=True)
    this_year = _closed_family_with_old_order(this_year=True)

    plan = apply_retention()

    assert plan.ids["closed_accounts_orders"] == []
    assert Order.objects.filter(pk__in=[unpaid_refund.pk, this_year.pk]).count() == 2


def test_the_retention_task_is_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "privacy.tasks.apply_retention" in tasks
