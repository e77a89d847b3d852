"""`make run` loads the demo data; running it again changes nothing."""

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management import call_command

from accounts.models import Family
from activities.models import Group, Season
from activities.selectors import group_availability
from registrations.models import Order, Registration
from waitlist.models import WaitlistEntry

pytestmark = pytest.mark.django_db

APPS = ("accounts", "activities", "registrations", "waitlist", "account")


def snapshot() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for label in APPS
        for model in apps.get_app_config(label).get_models()
    }


def test_load_demo_builds_the_summer_with_full_groups_and_waiting_lists(capsys):
    call_command("load_demo")
    season = Season.objects.get(name="Camps de jour — Été 2027")
    assert season.weeks.count() == 8
    assert season.weeks.get(number=1).label == "Semaine 1 : 28 juin au 2 juillet"
    groups = Group.objects.filter(week__season=season)
    assert groups.count() == 8 * 5
    availability = group_availability(group_ids=groups.values_list("pk", flat=True))
    assert sum(a.is_full for a in availability.values()) >= 2
    assert WaitlistEntry.objects.count() >= 2
    assert not Order.objects.exclude(status=Order.Status.PAID).exists()
    assert Registration.objects.filter(status=Registration.Status.CONFIRMED).exists()
    assert Family.objects.filter(status=Family.Status.PENDING).exists()
    assert not EmailAddress.objects.filter(verified=False).exists()
    output = capsys.readouterr().out
    assert "admin@example.org" in output
    assert "Camps-de-jour-2027!" in output


def test_load_demo_is_idempotent():
    call_command("load_demo")
    before = snapshot()
    totals = list(Order.objects.order_by("pk").values_list("total", flat=True))
    call_command("load_demo")
    assert snapshot() == before
    assert list(Order.objects.order_by("pk").values_list("total", flat=True)) == totals


def test_demo_parents_can_log_in(client):
    call_command("load_demo")
    for email in ("admin@example.org", "parent@example.org", "en-attente@example.org"):
        assert client.login(email=email, password="Camps-de-jour-2027!"), email
