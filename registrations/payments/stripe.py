"""Stripe Checkout Sessions, signed webhooks and refunds, through the official SDK.

Stripe's rules we follow (its API reference): a session expires 30 minutes to 24 hours
after its creation, so an order held longer (a waiting-list offer) gets a new session
when one lapses; an idempotency key reused with other parameters is an error, so the
key is derived from the parameters; a complete session is fulfilled, never replaced;
events arrive at least once and in any order, and refunds may be made in the Dashboard.
"""

import hashlib
import json
import logging
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

import stripe
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation

from .base import (
    InvalidSignature,
    MalformedEvent,
    PaymentEvent,
    PaymentInProgress,
    ProviderError,
    RefundNews,
    RefundResult,
)

logger = logging.getLogger(__name__)

# The API version the code and its tests were written against (the SDK's own).
API_VERSION = "2026-10-28.endive"
TIMEOUT_SECONDS = 10
NETWORK_RETRIES = 2
CURRENCY = "cad"
# Stripe: a session expires 30 minutes to 24 hours after its creation (margins included).
SESSION_MIN_LIFETIME = timedelta(minutes=31)
SESSION_MAX_LIFETIME = timedelta(hours=23, minutes=59)
PAID_STATUSES = ("paid", "no_payment_required")
SESSION_OUTCOMES = {
    "checkout.session.async_payment_succeeded": PaymentEvent.PAID,
    "checkout.session.async_payment_failed": PaymentEvent.FAILED,
    "checkout.session.expired": PaymentEvent.EXPIRED,
}
REFUND_EVENTS = ("refund.created", "refund.updated", "refund.failed")
REFUND_STATUSES = {"succeeded": "succeeded", "failed": "failed", "canceled": "failed"}


def cents(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal("1")))


def from_cents(value) -> Decimal:
    return Decimal(int(value)) / 100


def client() -> stripe.StripeClient:
    """A pinned API version, a 10 s timeout and bounded retries (Stripe's SDK retries only
    what is safe to retry: connection errors, 409 and 5xx, with the idempotency key)."""
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        stripe_version=API_VERSION,
        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
        max_network_retries=NETWORK_RETRIES,
    )


def session_expiry(*, hold_until: datetime, now: datetime) -> datetime:
    """The hold's end, brought inside Stripe's window, to the minute (so that a double
    click sends the same parameters, hence the same idempotency key)."""
    start = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
    return min(max(hold_until, start + SESSION_MIN_LIFETIME), start + SESSION_MAX_LIFETIME)


def idempotency_key(order, params: dict) -> str:
    """Same order, same parameters, same session replaced: same key (a double click gets
    the same session). A session that lapsed is replaced under a new key."""
    seed = json.dumps([params, order.provider_reference], sort_keys=True).encode()
    return f"order-{order.public_id}-{hashlib.sha256(seed).hexdigest()[:24]}"


def session_paid_event(session, *, event_id: str, event_type: str) -> PaymentEvent | None:
    """The PAID event a complete, paid session stands for; None if it is not paid."""
    if session.get("status") != "complete" or session.get("payment_status") not in PAID_STATUSES:
        return None
    return _session_event(session, event_id=event_id, event_type=event_type, outcome="paid")


def _session_event(session, *, event_id: str, event_type: str, outcome: str) -> PaymentEvent:
    amount = session.get("amount_total")
    metadata = session.get("metadata") or {}
    return PaymentEvent(
        provider="stripe",
        event_id=event_id,
        event_type=event_type,
        outcome=outcome,
        order_public_id=metadata.get("order_id") or session.get("client_reference_id"),
        provider_reference=session["id"],
        payment_reference=session.get("payment_intent") or "",
        amount=from_cents(amount) if amount is not None else None,
        currency=session.get("currency") or "",
    )


class StripeProvider:
    name = "stripe"

    def start_checkout(self, order) -> str | PaymentEvent:
        try:
            if order.provider_reference:
                session = client().v1.checkout.sessions.retrieve(order.provider_reference)
                session = session.to_dict()
                if session["status"] == "open":
                    return session["url"]
                if session["status"] == "complete":
                    paid = session_paid_event(
                        session, event_id=f"{session['id']}.return", event_type="retrieved"
                    )
                    if paid is not None:
                        return paid
                    raise PaymentInProgress(session["id"])
            params = self.session_params(order)
            session = client().v1.checkout.sessions.create(
                params=params, options={"idempotency_key": idempotency_key(order, params)}
            )
        except stripe.StripeError as exc:
            logger.warning("Stripe refused a checkout session for %s: %s", order, exc)
            raise ProviderError(str(exc)) from exc
        order.provider_reference = session["id"]
        order.save(update_fields=["provider_reference"])
        return session["url"]

    def session_params(self, order) -> dict:
        detail = settings.SITE_URL + reverse("registrations:order_detail", args=[order.public_id])
        expires_at = session_expiry(hold_until=order.hold_expires_at, now=timezone.now())
        registrations = order.registrations.select_related("person", "group__activity", "week")
        with translation.override(order.language):
            line_items = [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": CURRENCY,
                        "unit_amount": cents(registration.price),
                        "product_data": {
                            "name": f"{registration.person} — {registration.group.activity.name}",
                            "description": registration.week.label,
                        },
                    },
                }
                for registration in registrations.order_by("pk")
            ]
        metadata = {"order_id": str(order.public_id), "order_number": order.number}
        return {
            "mode": "payment",
            "line_items": line_items,
            "client_reference_id": str(order.public_id),
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "customer_email": order.family.user.email,
            "expires_at": int(expires_at.timestamp()),
            "locale": "fr-CA" if order.language.startswith("fr") else "en",
            "success_url": detail + "?session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": detail + "?cancelled=1",
        }

    def close_checkout(self, order) -> PaymentEvent | None:
        if not order.provider_reference:
            return None
        sessions = client().v1.checkout.sessions
        try:
            session = sessions.retrieve(order.provider_reference)
            if session["status"] == "open":
                try:
                    session = sessions.expire(order.provider_reference)
                except stripe.InvalidRequestError:  # completed meanwhile: look again
                    session = sessions.retrieve(order.provider_reference)
        except stripe.StripeError as exc:
            raise ProviderError(str(exc)) from exc
        session = session.to_dict()
        if session["status"] != "complete":
            return None
        paid = session_paid_event(session, event_id=f"{session['id']}.closed", event_type="closed")
        if paid is None:
            raise PaymentInProgress(session["id"])
        return paid

    def checkout_result(self, order, reference: str) -> PaymentEvent | None:
        try:
            session = client().v1.checkout.sessions.retrieve(reference).to_dict()
        except stripe.StripeError as exc:
            logger.info("Could not read Stripe session %s: %s", reference, exc)
            return None
        paid = session_paid_event(session, event_id=f"{reference}.return", event_type="return")
        if paid is None or paid.order_public_id != str(order.public_id):
            return None
        return paid

    def parse_webhook(self, request: HttpRequest) -> PaymentEvent:
        signature = request.headers.get("Stripe-Signature", "")
        if not signature:
            raise InvalidSignature("missing signature")
        try:
            stripe.Webhook.construct_event(request.body, signature, settings.STRIPE_WEBHOOK_SECRET)
        except (ValueError, stripe.SignatureVerificationError) as exc:
            raise InvalidSignature(str(exc)) from exc
        # Signed by Stripe: read it as plain JSON, and refuse what we cannot read.
        try:
            return self._event(json.loads(request.body))
        except (KeyError, TypeError, ValueError, AttributeError, InvalidOperation) as exc:
            raise MalformedEvent(f"{type(exc).__name__}: {exc}") from exc

    def _event(self, event: dict) -> PaymentEvent:
        event_id, event_type = str(event["id"]), str(event["type"])
        obj = event["data"]["object"]
        if event_type == "checkout.session.completed":
            # Bank debits complete later (async_payment_succeeded): only paid sessions confirm.
            paid = obj.get("payment_status") in PAID_STATUSES
            outcome = PaymentEvent.PAID if paid else PaymentEvent.IGNORED
            return _session_event(obj, event_id=event_id, event_type=event_type, outcome=outcome)
        if event_type in SESSION_OUTCOMES:
            outcome = SESSION_OUTCOMES[event_type]
            return _session_event(obj, event_id=event_id, event_type=event_type, outcome=outcome)
        if event_type in REFUND_EVENTS:
            news = self._refund_news(obj)
            return self._refund_event(event_id, event_type, news.payment_reference, (news,))
        if event_type == "charge.refunded":
            listed = (obj.get("refunds") or {}).get("data") or []
            event = self._refund_event(
                event_id,
                event_type,
                str(obj["payment_intent"]),
                tuple(self._refund_news(refund) for refund in listed),
            )
            return replace(event, refunded_total=from_cents(obj["amount_refunded"]))
        return PaymentEvent(
            provider=self.name, event_id=event_id, event_type=event_type, outcome="ignored"
        )

    def _refund_event(self, event_id, event_type, payment_reference, refunds) -> PaymentEvent:
        return PaymentEvent(
            provider=self.name,
            event_id=event_id,
            event_type=event_type,
            outcome=PaymentEvent.REFUND,
            payment_reference=payment_reference,
            refunds=refunds,
        )

    @staticmethod
    def _refund_news(refund: dict) -> RefundNews:
        return RefundNews(
            reference=str(refund["id"]),
            payment_reference=str(refund["payment_intent"]),
            amount=from_cents(refund["amount"]),
            status=REFUND_STATUSES.get(refund["status"], "pending"),
        )

    def refund(self, *, payment_reference: str, amount: Decimal, key: str, order) -> RefundResult:
        if not payment_reference:
            raise ProviderError(f"No Stripe payment to refund for {order}")
        try:
            refund = client().v1.refunds.create(
                params={
                    "payment_intent": payment_reference,
                    "amount": cents(amount),
                    "metadata": {"order_id": str(order.public_id), "refund": key},
                },
                options={"idempotency_key": f"refund-{key}"},
            )
        except stripe.StripeError as exc:
            raise ProviderError(str(exc)) from exc
        return RefundResult(
            reference=refund["id"], status=REFUND_STATUSES.get(refund["status"], "pending")
        )
