"""Stripe Checkout and webhooks, through the real SDK with HTTP stubbed at the requests layer."""

import json
from urllib.parse import parse_qs

import pytest
import responses
import stripe
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from portal.models import OutgoingEmail
from registrations import services
from registrations.models import Order, Payment, Registration, WebhookEvent
from registrations.payments import PaymentEvent, ProviderError, get_provider
from registrations.payments.simulated import SimulatedProvider
from tests.concurrency import run_concurrently

from .stripe_helpers import WEBHOOK_SECRET, session_event, signed

WEBHOOK = reverse("registrations:stripe_webhook")


@pytest.fixture
def stripe_settings(settings):
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_123"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.SITE_URL = "https://camps.example.org"
    previous = stripe.default_http_client
    stripe.default_http_client = stripe.RequestsClient()
    yield settings
    stripe.default_http_client = previous


@pytest.fixture
def order(stripe_settings, family, lea, camp, daycare):
    services.add_to_cart(family=family, person=lea, groups=[camp, daycare])
    return services.checkout(family=family).order


def post_event(client, payload, signature=None):
    body, header = signed(payload)
    headers = {"Stripe-Signature": signature if signature is not None else header}
    return client.post(WEBHOOK, body, content_type="application/json", headers=headers)


@responses.activate
def test_checkout_session_is_created_in_cad_with_one_line_per_registration(order):
    responses.post(
        "https://api.stripe.com/v1/checkout/sessions",
        json={
            "id": "cs_test_123",
            "object": "checkout.session",
            "url": "https://checkout.stripe.com/c/cs_test_123",
        },
    )
    url = services.start_payment(order=order)
    assert url == "https://checkout.stripe.com/c/cs_test_123"
    request = responses.calls[0].request
    form = parse_qs(request.body)
    assert form["line_items[0][price_data][currency]"] == ["cad"]
    assert form["line_items[1][price_data][currency]"] == ["cad"]
    assert "line_items[2][quantity]" not in form
    amounts = sorted(int(v[0]) for k, v in form.items() if k.endswith("[unit_amount]"))
    assert amounts == [4000, 18500]
    assert form["client_reference_id"] == [str(order.public_id)]
    assert form["metadata[order_id]"] == [str(order.public_id)]
    assert form["success_url"][0].startswith("https://camps.example.org/")
    assert int(form["expires_at"][0]) >= int(timezone.now().timestamp()) + 30 * 60
    assert str(order.public_id) in request.headers["Idempotency-Key"]
    order.refresh_from_db()
    assert order.provider_reference == "cs_test_123"


@responses.activate
def test_stripe_error_releases_the_holds(order):
    responses.post(
        "https://api.stripe.com/v1/checkout/sessions",
        status=500,
        json={"error": {"type": "api_error", "message": "boom"}},
    )
    with pytest.raises(services.PaymentStartFailed):
        services.start_payment(order=order)
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert not Registration.objects.occupying().exists()


def test_completed_webhook_confirms_and_a_replay_changes_nothing(client, order):
    payload = session_event(order, "evt_1", "checkout.session.completed")
    assert post_event(client, payload).status_code == 200
    assert post_event(client, payload).status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.payments.get().provider_reference == "pi_test_123"
    assert OutgoingEmail.objects.filter(kind="order_confirmation").count() == 1
    assert WebhookEvent.objects.count() == 1


def test_two_different_events_for_one_payment_give_one_confirmation(client, order):
    post_event(client, session_event(order, "evt_1", "checkout.session.completed"))
    post_event(
        client,
        session_event(order, "evt_2", "checkout.session.async_payment_succeeded"),
    )
    assert Payment.objects.count() == 1
    assert OutgoingEmail.objects.count() == 1


@pytest.mark.parametrize("signature", ["", "t=1,v1=forged"])
def test_forged_or_missing_signature_is_400_and_nothing_changes(client, order, signature):
    payload = session_event(order, "evt_x", "checkout.session.completed")
    response = post_event(client, payload, signature=signature)
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert not WebhookEvent.objects.exists()


def test_signature_made_with_another_secret_is_refused(client, order):
    payload = session_event(order, "evt_x", "checkout.session.completed")
    body, header = signed(payload, secret="whsec_other")
    response = client.post(
        WEBHOOK, body, content_type="application/json", headers={"Stripe-Signature": header}
    )
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_completed_but_unpaid_waits_for_the_async_result(client, order):
    post_event(
        client,
        session_event(
            order,
            event_id="evt_1",
            event_type="checkout.session.completed",
            payment_status="unpaid",
        ),
    )
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    post_event(
        client,
        session_event(order, "evt_2", "checkout.session.async_payment_failed"),
    )
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert not Registration.objects.occupying().exists()


def test_expired_arriving_after_completed_leaves_the_order_paid(client, order):
    post_event(client, session_event(order, "evt_1", "checkout.session.completed"))
    post_event(client, session_event(order, "evt_2", "checkout.session.expired"))
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert set(order.registrations.values_list("status", flat=True)) == {"confirmed"}


def test_expired_webhook_frees_an_unpaid_order(client, order):
    post_event(client, session_event(order, "evt_1", "checkout.session.expired"))
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
    assert not Registration.objects.occupying().exists()


@responses.activate
def test_refund_goes_through_the_refund_api(order):
    services.confirm_payment(order=order, payment_reference="pi_test_123", amount=order.total)
    responses.post("https://api.stripe.com/v1/refunds", json={"id": "re_123", "object": "refund"})
    assert get_provider("stripe").refund(order, order.total) == "re_123"
    form = parse_qs(responses.calls[0].request.body)
    assert form == {"payment_intent": ["pi_test_123"], "amount": [str(int(order.total * 100))]}


@responses.activate
def test_expire_closes_the_checkout_session(order):
    order.provider_reference = "cs_test_123"
    order.save()
    responses.post(
        "https://api.stripe.com/v1/checkout/sessions/cs_test_123/expire",
        json={"id": "cs_test_123", "object": "checkout.session", "status": "expired"},
    )
    get_provider("stripe").expire(order)
    assert len(responses.calls) == 1


def test_refund_without_a_payment_is_a_provider_error(order):
    with pytest.raises(ProviderError):
        get_provider("stripe").refund(order, order.total)


@pytest.mark.django_db(transaction=True)
def test_success_page_and_webhook_racing_give_one_confirmation(settings, family, lea, camp):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    services.add_to_cart(family=family, person=lea, groups=[camp])
    order = services.checkout(family=family).order
    events = [
        SimulatedProvider.event(order, outcome=PaymentEvent.PAID),  # the return page
        SimulatedProvider.event(order, outcome=PaymentEvent.PAID),  # the webhook
    ]
    outcomes, errors = run_concurrently(
        lambda event: services.handle_payment_event(event=event), events
    )
    assert not errors, errors
    assert sorted(outcomes) == ["already", "confirmed"]
    assert Payment.objects.filter(order=order).count() == 1
    assert OutgoingEmail.objects.filter(kind="order_confirmation").count() == 1
    assert json.dumps(list(order.registrations.values_list("status", flat=True))) == '["confirmed"]'


def test_signed_event_naming_no_order_of_ours_is_acknowledged_and_ignored(client, order):
    payload = session_event(order, "evt_9", "checkout.session.completed")
    payload["data"]["object"]["metadata"] = {"order_id": "not-a-uuid"}
    payload["data"]["object"]["client_reference_id"] = None
    assert post_event(client, payload).status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
