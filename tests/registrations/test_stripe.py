"""Stripe Checkout, webhooks and refunds through the real SDK, against ``FakeStripe``:
Stripe's full example objects, its rules on what we send, and signed webhooks."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import responses
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from portal.errors import DomainError
from portal.models import OutgoingEmail
from registrations import services
from registrations.models import Order, Payment, Registration, WebhookEvent
from registrations.payments import PaymentEvent
from registrations.payments.simulated import SimulatedProvider
from registrations.payments.stripe import API_VERSION
from tests import factories
from tests.concurrency import run_concurrently

from .stripe_helpers import WEBHOOK_SECRET, FakeStripe, event, signed

WEBHOOK = reverse("registrations:stripe_webhook")


@pytest.fixture
def stripe_settings(settings):
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_123"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.SITE_URL = "https://camps.example.org"
    return settings


@pytest.fixture
def fake_stripe(stripe_settings):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeStripe(mock)


@pytest.fixture
def order(fake_stripe, family, lea, camp, daycare):
    services.add_to_cart(family=family, person=lea, groups=[camp, daycare])
    return services.checkout(family=family, language="fr").order


def post(client, payload, signature=None):
    body, header = signed(payload)
    headers = {"Stripe-Signature": signature if signature is not None else header}
    return client.post(WEBHOOK, body, content_type="application/json", headers=headers)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a step and what it leaves for after its commit (refunds are sent then)."""

    def run(step, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return step(*args, **kwargs)

    return run


def session_id(order) -> str:
    order.refresh_from_db()
    return order.provider_reference


def refresh(order) -> Order:
    order.refresh_from_db()
    return order


# --- Starting a checkout ------------------------------------------------------------------


def test_session_in_cad_one_line_per_registration_with_the_order_in_metadata(order, fake_stripe):
    url = services.start_payment(order=order)
    params = fake_stripe.created[0]
    assert url == fake_stripe.sessions[session_id(order)]["url"]
    assert [li["price_data"]["currency"] for li in params["line_items"]] == ["cad", "cad"]
    assert sorted(int(li["price_data"]["unit_amount"]) for li in params["line_items"]) == [
        4000,
        18500,
    ]
    assert params["metadata"]["order_id"] == str(order.public_id)
    assert params["payment_intent_data"]["metadata"]["order_id"] == str(order.public_id)
    assert params["client_reference_id"] == str(order.public_id)
    assert params["locale"] == "fr-CA"
    assert params["success_url"].startswith("https://camps.example.org/")
    request = fake_stripe.mock.calls[0].request
    assert request.headers["Stripe-Version"] == API_VERSION
    assert str(order.public_id) in request.headers["Idempotency-Key"]


def test_a_double_click_on_pay_gives_the_same_session(order, fake_stripe):
    first = services.start_payment(order=order)
    assert services.start_payment(order=order) == first
    assert len(fake_stripe.sessions) == 1


def test_an_offer_held_48_hours_gets_a_session_within_stripes_24_hours_and_a_new_one_after(
    fake_stripe, family, lea, camp, client
):
    camp.week.season.offer_window_hours = 48
    camp.week.season.save()
    hold = timezone.now() + timedelta(hours=48)
    offer = services.create_pending_order(
        family=family, lines=[(lea, camp)], source="waitlist_offer", hold_until=hold, language="en"
    )
    services.start_payment(order=offer)  # Stripe refuses > 24 h: this would raise
    first = session_id(offer)
    assert int(fake_stripe.created[0]["expires_at"]) <= timezone.now().timestamp() + 24 * 3600
    assert fake_stripe.created[0]["locale"] == "en"
    # The session lapses after 24 h; Stripe says so; the offer still runs.
    fake_stripe.lapse(first)
    post(client, event(fake_stripe.sessions[first], "checkout.session.expired", "e1"))
    assert refresh(offer).status == Order.Status.PENDING_PAYMENT
    services.start_payment(order=offer)
    assert session_id(offer) != first
    assert len(fake_stripe.created) == 2


def test_a_provider_error_at_pay_keeps_the_order_and_its_places(order, fake_stripe):
    fake_stripe.failing = 3  # the SDK retries twice, then gives up
    with pytest.raises(DomainError) as refused:
        services.start_payment(order=order)
    assert refused.value.code == "provider_unavailable"
    assert refresh(order).status == Order.Status.PENDING_PAYMENT
    assert Registration.objects.occupying().filter(order=order).count() == 2
    assert services.start_payment(order=order).startswith("https://checkout.stripe.com/")


def test_pay_again_after_paying_fulfils_from_the_complete_session_not_a_new_one(
    order, fake_stripe, client
):
    services.start_payment(order=order)
    fake_stripe.complete(session_id(order))  # paid; the webhook has not arrived yet
    landing = services.start_payment(order=order)
    assert landing == reverse("registrations:order_detail", args=[order.public_id])
    assert refresh(order).status == Order.Status.PAID
    assert len(fake_stripe.created) == 1
    # The webhook arrives afterwards: nothing more.
    session = fake_stripe.sessions[session_id(order)]
    assert post(client, event(session, "checkout.session.completed", "evt_late")).status_code == 200
    assert Payment.objects.filter(order=order).count() == 1
    assert OutgoingEmail.objects.filter(kind="order_confirmation").count() == 1


def test_the_success_page_fulfils_and_the_webhook_then_changes_nothing(
    order, fake_stripe, client, family
):
    services.start_payment(order=order)
    session = fake_stripe.complete(session_id(order))
    client.force_login(family.user)
    page = client.get(
        reverse("registrations:order_detail", args=[order.public_id]),
        {"session_id": session["id"]},
    )
    assert page.status_code == 200
    assert refresh(order).status == Order.Status.PAID
    post(client, event(session, "checkout.session.completed", "evt_1"))
    assert Payment.objects.filter(order=order, kind="charge").count() == 1
    assert OutgoingEmail.objects.filter(kind="order_confirmation").count() == 1


def test_another_orders_session_on_the_success_page_confirms_nothing(
    order, fake_stripe, client, family, noah, other_camp
):
    services.start_payment(order=order)
    session = fake_stripe.complete(session_id(order))
    session["metadata"] = {"order_id": "00000000-0000-0000-0000-000000000000"}
    session["client_reference_id"] = None
    client.force_login(family.user)
    client.get(
        reverse("registrations:order_detail", args=[order.public_id]),
        {"session_id": session["id"]},
    )
    assert refresh(order).status == Order.Status.PENDING_PAYMENT


# --- Ending a pending order -----------------------------------------------------------------


def test_cancelling_a_pending_order_expires_its_session(order, fake_stripe):
    services.start_payment(order=order)
    assert services.cancel_payment(order=order)
    assert fake_stripe.sessions[session_id(order)]["status"] == "expired"
    assert refresh(order).status == Order.Status.CANCELLED
    assert not Registration.objects.occupying().exists()


def test_cancelling_a_session_paid_meanwhile_fulfils_it_instead(order, fake_stripe):
    services.start_payment(order=order)
    fake_stripe.complete(session_id(order))
    with pytest.raises(DomainError) as refused:
        services.cancel_payment(order=order)
    assert refused.value.code == "already_paid"
    assert refresh(order).status == Order.Status.PAID


def test_a_bank_debit_in_progress_cannot_be_cancelled(order, fake_stripe):
    services.start_payment(order=order)
    fake_stripe.complete(session_id(order), payment_status="unpaid")
    with pytest.raises(DomainError) as refused:
        services.cancel_payment(order=order)
    assert refused.value.code == "payment_in_progress"
    assert refresh(order).status == Order.Status.PENDING_PAYMENT


def test_a_provider_error_never_cancels_an_order_that_may_be_paid(order, fake_stripe):
    services.start_payment(order=order)
    fake_stripe.failing = 3
    with pytest.raises(DomainError):
        services.cancel_payment(order=order)
    assert refresh(order).status == Order.Status.PENDING_PAYMENT


def test_staff_cancelling_a_pending_order_expire_its_session(order, fake_stripe, staff_client):
    services.start_payment(order=order)
    url = reverse("admin:registrations_order_refund", args=[order.pk])
    assert staff_client.post(url).status_code == 302
    assert refresh(order).status == Order.Status.CANCELLED
    assert fake_stripe.sessions[session_id(order)]["status"] == "expired"


# --- Webhooks -----------------------------------------------------------------------------


def test_completed_webhook_confirms_once_and_a_replay_changes_nothing(order, fake_stripe, client):
    services.start_payment(order=order)
    session = fake_stripe.complete(session_id(order))
    payload = event(session, "checkout.session.completed", "evt_1")
    assert post(client, payload).status_code == 200
    assert post(client, payload).status_code == 200
    assert refresh(order).status == Order.Status.PAID
    charge = order.payments.get()
    assert (charge.provider_reference, charge.amount) == (session["payment_intent"], order.total)
    assert OutgoingEmail.objects.filter(kind="order_confirmation").count() == 1
    assert WebhookEvent.objects.count() == 1


def test_a_zero_total_order_is_paid_on_no_payment_required(fake_stripe, family, lea, camp, client):
    camp.price_resident = Decimal("0")
    camp.save()
    services.add_to_cart(family=family, person=lea, groups=[camp])
    free = services.checkout(family=family).order
    services.start_payment(order=free)
    session = fake_stripe.complete(session_id(free), payment_status="no_payment_required")
    session["payment_intent"] = None
    post(client, event(session, "checkout.session.completed", "evt_free"))
    assert refresh(free).status == Order.Status.PAID


def test_completed_but_unpaid_waits_and_an_async_failure_declines_a_cart_order(
    order, fake_stripe, client
):
    services.start_payment(order=order)
    session = fake_stripe.complete(session_id(order), payment_status="unpaid")
    post(client, event(session, "checkout.session.completed", "evt_1"))
    assert refresh(order).status == Order.Status.PENDING_PAYMENT
    post(client, event(session, "checkout.session.async_payment_failed", "evt_2"))
    assert refresh(order).status == Order.Status.DECLINED
    assert not Registration.objects.occupying().exists()


def test_an_async_failure_leaves_an_offer_its_place_until_its_deadline(
    fake_stripe, family, lea, camp, client
):
    offer = services.create_pending_order(
        family=family,
        lines=[(lea, camp)],
        source="waitlist_offer",
        hold_until=timezone.now() + timedelta(hours=48),
        language="fr",
    )
    services.start_payment(order=offer)
    session = fake_stripe.complete(session_id(offer), payment_status="unpaid")
    post(client, event(session, "checkout.session.async_payment_failed", "evt_2"))
    assert refresh(offer).status == Order.Status.PENDING_PAYMENT
    assert Registration.objects.occupying().filter(order=offer).exists()


def test_expired_webhook_ends_the_order_only_once_its_hold_is_over(order, fake_stripe, client):
    services.start_payment(order=order)
    session = fake_stripe.lapse(session_id(order))
    post(client, event(session, "checkout.session.expired", "evt_1"))
    assert refresh(order).status == Order.Status.PENDING_PAYMENT  # the hold still runs
    Order.objects.filter(pk=order.pk).update(hold_expires_at=timezone.now())
    post(client, event(session, "checkout.session.expired", "evt_2"))
    assert refresh(order).status == Order.Status.EXPIRED


def test_expired_after_completed_leaves_the_order_paid(order, fake_stripe, client):
    services.start_payment(order=order)
    session = fake_stripe.complete(session_id(order))
    post(client, event(session, "checkout.session.completed", "evt_1"))
    post(client, event(dict(session, status="expired"), "checkout.session.expired", "evt_2"))
    assert refresh(order).status == Order.Status.PAID
    assert set(order.registrations.values_list("status", flat=True)) == {"confirmed"}


@pytest.mark.parametrize(
    ("field", "value"), [("amount_total", 1), ("currency", "usd")], ids=["amount", "currency"]
)
def test_a_payment_of_another_amount_or_currency_is_refunded_not_confirmed(
    order, fake_stripe, client, committed, field, value
):
    services.start_payment(order=order)
    session = fake_stripe.complete(session_id(order))
    session[field] = value
    committed(post, client, event(session, "checkout.session.completed", "evt_1"))
    assert refresh(order).status == Order.Status.PENDING_PAYMENT
    refund = order.payments.get(kind="refund")
    assert (refund.reason, refund.status) == ("amount_mismatch", Payment.Status.SUCCEEDED)
    assert fake_stripe.refund_requests[0]["payment_intent"] == session["payment_intent"]


def test_a_second_payment_of_a_paid_order_is_refunded_and_recorded(
    order, fake_stripe, client, committed
):
    services.start_payment(order=order)
    session = fake_stripe.complete(session_id(order))
    post(client, event(session, "checkout.session.completed", "evt_1"))
    twice = dict(session, id="cs_test_other", payment_intent="pi_second")
    committed(post, client, event(twice, "checkout.session.completed", "evt_2"))
    assert refresh(order).status == Order.Status.PAID
    duplicate = order.payments.get(kind="refund")
    assert duplicate.reason == "duplicate_payment"
    assert duplicate.refund_of.provider_reference == "pi_second"
    assert fake_stripe.refund_requests == [
        {
            "payment_intent": "pi_second",
            "amount": str(int(order.total * 100)),
            "metadata": {"order_id": str(order.public_id), "refund": str(duplicate.pk)},
        }
    ]
    assert OutgoingEmail.objects.filter(kind="order_confirmation").count() == 1


@pytest.mark.parametrize(
    "mangle",
    [
        lambda p: p["data"].pop("object"),
        lambda p: p["data"]["object"].update(amount_total="douze"),
        lambda p: p.update(data=[]),
    ],
    ids=["no-object", "amount-not-a-number", "data-not-an-object"],
)
def test_a_signed_but_malformed_event_is_400_logged_and_changes_nothing(
    order, fake_stripe, client, caplog, mangle
):
    services.start_payment(order=order)
    payload = event(fake_stripe.complete(session_id(order)), "checkout.session.completed", "e1")
    mangle(payload)
    assert post(client, payload).status_code == 400
    assert "cannot read" in caplog.text
    assert refresh(order).status == Order.Status.PENDING_PAYMENT
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize("signature", ["", "t=1,v1=forged"])
def test_forged_or_missing_signature_is_400_and_nothing_changes(order, client, signature):
    payload = event({"id": "cs_x", "object": "checkout.session"}, "checkout.session.completed", "x")
    assert post(client, payload, signature=signature).status_code == 400
    assert not WebhookEvent.objects.exists()


def test_signature_made_with_another_secret_is_refused(order, client):
    body, header = signed(event({}, "checkout.session.completed", "x"), secret="whsec_other")
    response = client.post(
        WEBHOOK, body, content_type="application/json", headers={"Stripe-Signature": header}
    )
    assert response.status_code == 400


def test_an_event_naming_no_order_of_ours_is_acknowledged_and_ignored(order, fake_stripe, client):
    services.start_payment(order=order)
    session = fake_stripe.complete(session_id(order))
    session.update(metadata={"order_id": "not-a-uuid"}, client_reference_id=None)
    assert post(client, event(session, "checkout.session.completed", "e9")).status_code == 200
    assert refresh(order).status == Order.Status.PENDING_PAYMENT


# --- Refunds, ours and the Dashboard's -------------------------------------------------------


@pytest.fixture
def paid(order, fake_stripe, client):
    services.start_payment(order=order)
    session = fake_stripe.complete(session_id(order))
    post(client, event(session, "checkout.session.completed", "evt_paid"))
    return refresh(order), session


def test_staff_refund_of_one_line_goes_through_the_refund_api(
    paid, fake_stripe, staff_user, committed
):
    order, _session = paid
    daycare_line = order.registrations.get(kind="daycare")
    committed(
        services.cancel_and_refund,
        order=order,
        by=staff_user,
        reason="Allergie",
        registration_ids=[daycare_line.pk],
    )
    assert fake_stripe.refund_requests[0]["amount"] == "4000"
    refund = order.payments.get(kind="refund")
    assert (refund.status, refund.recorded_by, refund.reason) == (
        "succeeded",
        staff_user,
        "Allergie",
    )
    assert refresh(order).status == Order.Status.PAID  # the camp line stays
    daycare_line.refresh_from_db()
    assert daycare_line.status == Registration.Status.CANCELLED


def test_a_refund_stripe_reports_failed_is_visible_and_staff_are_told(
    paid, fake_stripe, staff_user, client, committed
):
    order, _session = paid
    fake_stripe.refund_status = "pending"
    committed(services.cancel_and_refund, order=order, by=staff_user, reason="Annulation")
    refund = order.payments.filter(kind="refund").first()
    assert refund.status == Payment.Status.PENDING
    failed = dict(fake_stripe.refunds[refund.provider_reference], status="failed")
    post(client, event(failed, "refund.failed", "evt_rf"))
    refund.refresh_from_db()
    assert refund.status == Payment.Status.FAILED
    assert OutgoingEmail.objects.filter(kind="staff_refund_failed").count() == 1


def test_a_full_dashboard_refund_frees_the_places_and_is_recorded_once(paid, fake_stripe, client):
    order, session = paid
    refund = fake_stripe.dashboard_refund(session, session["amount_total"])
    post(
        client,
        event(
            fake_stripe.charge(session, amount_refunded=session["amount_total"]),
            "charge.refunded",
            "evt_cr",
        ),
    )
    post(client, event(refund, "refund.updated", "evt_ru"))
    assert refresh(order).status == Order.Status.REFUNDED
    assert not Registration.objects.occupying().filter(order=order).exists()
    recorded = order.payments.get(kind="refund")
    assert (recorded.provider_reference, recorded.reason) == (refund["id"], "provider_dashboard")
    assert OutgoingEmail.objects.filter(kind="staff_refund_outside").count() == 1


def test_a_partial_dashboard_refund_is_recorded_and_the_order_stays_paid(paid, fake_stripe, client):
    order, session = paid
    refund = fake_stripe.dashboard_refund(session, 4000)
    post(client, event(refund, "refund.created", "evt_rc"))
    post(
        client,
        event(
            fake_stripe.charge(session, amount_refunded=4000, refunds=[refund]),
            "charge.refunded",
            "evt_cr",
        ),
    )
    assert refresh(order).status == Order.Status.PAID
    assert order.payments.get(kind="refund").amount == Decimal("40.00")


# --- Races ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_success_page_and_webhook_racing_give_one_confirmation(family, lea, camp):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    services.add_to_cart(family=family, person=lea, groups=[camp])
    order = services.checkout(family=family).order
    events = [
        SimulatedProvider.event(order, outcome=PaymentEvent.PAID),  # the return page
        SimulatedProvider.event(order, outcome=PaymentEvent.PAID),  # the webhook
    ]
    outcomes, errors = run_concurrently(lambda e: services.handle_payment_event(event=e), events)
    assert not errors, errors
    assert sorted(outcomes) == ["already", "confirmed"]
    assert Payment.objects.filter(order=order).count() == 1
    assert OutgoingEmail.objects.filter(kind="order_confirmation").count() == 1
    assert json.dumps(list(order.registrations.values_list("status", flat=True))) == '["confirmed"]'


def test_start_up_refuses_a_stripe_key_without_a_webhook_secret():
    from tests.portal.test_deploy_check import PRODUCTION, manage

    env = {**PRODUCTION, "STRIPE_WEBHOOK_SECRET": ""}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "STRIPE_WEBHOOK_SECRET" in result.stderr


def test_a_family_cannot_reach_another_familys_order(order, client):
    stranger = factories.FamilyFactory()
    client.force_login(stranger.user)
    url = reverse("registrations:order_detail", args=[order.public_id])
    assert client.get(url, {"session_id": "cs_test_0001"}).status_code == 404
