"""A family cancels one line from « Mon dossier » under the season's refund policy."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.errors import DomainError
from portal.models import OutgoingEmail
from registrations.models import Order, Payment, Registration
from registrations.payments import RefundResult
from registrations.payments.simulated import SimulatedProvider
from registrations.services import family_cancellation
from tests import factories
from waitlist.models import WaitlistEntry
from waitlist.services import serve_waiting_lines

from .helpers import paid_order, text


@pytest.fixture
def provider_refunds(monkeypatch):
    refunds = []

    def refund(self, *, payment_reference, amount, key, order):
        refunds.append(amount)
        return RefundResult(reference=f"re_{key}", status="succeeded")

    monkeypatch.setattr(SimulatedProvider, "refund", refund)
    return refunds


@pytest.fixture
def policy(season):
    season.refund_until_days = 7
    season.refund_admin_fee = Decimal("15.00")
    season.save()
    return season


def cancel_url(registration) -> str:
    return reverse("registrations:cancel_line", args=[registration.pk])


def test_the_confirm_page_shows_the_refund_before_anything_happens(
    parent_client, policy, family, lea, camp, daycare
):
    order = paid_order(family=family, items=[(lea, [camp, daycare])])
    line = order.registrations.get(kind="camp")
    page = parent_client.get(cancel_url(line))
    assert page.status_code == 200
    # 185 + 40 paid, 15 kept: 210 comes back.
    assert "210,00\xa0$" in text(page) and "15,00\xa0$" in text(page)
    assert "<script>" not in text(page)  # the CSP allows no inline script
    assert not Registration.objects.filter(status="cancelled").exists()


def test_cancelling_in_time_refunds_the_line_and_its_services_minus_the_fee(
    parent_client,
    policy,
    family,
    lea,
    noah,
    camp,
    daycare,
    provider_refunds,
    django_capture_on_commit_callbacks,
):
    order = paid_order(family=family, items=[(lea, [camp, daycare]), (noah, [camp])])
    line = order.registrations.get(person=lea, kind="camp")
    with django_capture_on_commit_callbacks(execute=True):
        response = parent_client.post(
            cancel_url(line), {"expected_refund": "210.00", "reason": "Vacances"}
        )
    assert response.status_code == 302
    assert sorted(provider_refunds) == [Decimal("40.00"), Decimal("170.00")]
    statuses = dict(order.registrations.values_list("person__first_name", "status"))
    assert set(order.registrations.filter(person=lea).values_list("status", flat=True)) == {
        "cancelled"
    }
    assert statuses["Noah"] == "confirmed"
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    refunds = order.payments.filter(kind=Payment.Kind.REFUND)
    assert {(p.recorded_by_id, p.reason) for p in refunds} == {
        (family.user.pk, "family_cancellation: Vacances")
    }
    assert set(refunds.values_list("status", flat=True)) == {"succeeded"}
    email = OutgoingEmail.objects.get(kind="family_cancellation", to=family.user.email)
    assert "210,00\xa0$" in email.body_text


def test_cancelling_after_the_deadline_refunds_nothing_and_frees_the_place(
    policy, family, lea, provider_refunds, django_capture_on_commit_callbacks
):
    soon = timezone.localdate() + timedelta(days=3)
    week = factories.WeekFactory(season=policy, number=5, starts_on=soon, ends_on=soon)
    group = factories.GroupFactory(week=week)
    order = paid_order(family=family, items=[(lea, [group])])
    line = order.registrations.get()
    quote = family_cancellation.quote(family=family, registration_id=line.pk)
    assert (quote.in_time, quote.refund) == (False, Decimal("0"))
    with django_capture_on_commit_callbacks(execute=True):
        family_cancellation.cancel_by_family(
            family=family, registration_id=line.pk, by=family.user, expected_refund=Decimal("0")
        )
    assert provider_refunds == []
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    trace = order.payments.get(kind=Payment.Kind.REFUND)
    assert (trace.amount, trace.recorded_by_id) == (Decimal("0"), family.user.pk)
    assert not Registration.objects.occupying().exists()


def test_a_week_already_started_cannot_be_cancelled_online(policy, family, lea):
    today = timezone.localdate()
    week = factories.WeekFactory(season=policy, number=6, starts_on=today, ends_on=today)
    order = paid_order(family=family, items=[(lea, [factories.GroupFactory(week=week)])])
    with pytest.raises(DomainError) as refused:
        family_cancellation.quote(family=family, registration_id=order.registrations.get().pk)
    assert refused.value.code == "week_started"


def test_a_changed_quote_is_not_applied(policy, family, lea, camp):
    order = paid_order(family=family, items=[(lea, [camp])])
    line = order.registrations.get()
    with pytest.raises(DomainError) as refused:
        family_cancellation.cancel_by_family(
            family=family, registration_id=line.pk, by=family.user, expected_refund=Decimal("185")
        )
    assert refused.value.code == "quote_changed"
    line.refresh_from_db()
    assert line.status == "confirmed"


def test_a_family_cannot_cancel_another_familys_line(client, policy, family, lea, camp):
    order = paid_order(family=family, items=[(lea, [camp])])
    line = order.registrations.get()
    other = factories.FamilyFactory()
    client.force_login(other.user)
    assert client.get(cancel_url(line)).status_code == 404
    assert client.post(cancel_url(line), {"expected_refund": "170.00"}).status_code == 404
    line.refresh_from_db()
    assert line.status == "confirmed"


def test_the_freed_place_is_offered_to_the_waiting_line(
    policy, family, lea, week, provider_refunds, django_capture_on_commit_callbacks
):
    policy.auto_promote = True
    policy.save()
    group = factories.GroupFactory(week=week, capacity=1)
    order = paid_order(family=family, items=[(lea, [group])])
    waiting = factories.WaitlistEntryFactory(group=group)
    with django_capture_on_commit_callbacks(execute=True):
        family_cancellation.cancel_by_family(
            family=family, registration_id=order.registrations.get().pk, by=family.user
        )
    serve_waiting_lines()
    waiting.refresh_from_db()
    assert waiting.status == WaitlistEntry.Status.OFFERED


def test_the_dossier_links_each_confirmed_line_to_its_cancellation(
    parent_client, policy, family, lea, camp
):
    order = paid_order(family=family, items=[(lea, [camp])])
    page = parent_client.get(reverse("accounts:dossier"))
    assert cancel_url(order.registrations.get()) in text(page)
