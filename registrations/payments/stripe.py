"""Stripe Checkout Sessions, signed webhooks and refunds, through the official SDK."""

import json
import logging
from datetime import timedelta
from decimal import Decimal

import stripe
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation

from .base import InvalidSignature, PaymentEvent, ProviderError

logger = logging.getLogger(__name__)

# Stripe refuses a session that expires less than 30 minutes ahead.
MIN_SESSION_LIFETIME = timedelta(minutes=31)
OUTCOMES = {
    "checkout.session.async_payment_succeeded": PaymentEvent.PAID,
    "checkout.session.async_payment_failed": PaymentEvent.FAILED,
    "checkout.session.expired": PaymentEvent.EXPIRED,
}
TIMEOUT_SECONDS = 10


def cents(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal("1")))


class StripeProvider:
    name = "stripe"

    def __init__(self) -> None:
        self.api_key = settings.STRIPE_SECRET_KEY

    def start_checkout(self, order) -> str:
        try:
            if order.provider_reference:  # already started: same session, same page
                session = stripe.checkout.Session.retrieve(
                    order.provider_reference, api_key=self.api_key
                )
                if session["status"] == "open":
                    return session["url"]
            session = stripe.checkout.Session.create(
                api_key=self.api_key,
                idempotency_key=f"order-{order.public_id}-{order.hold_expires_at.timestamp()}",
                **self.session_params(order),
            )
        except stripe.StripeError as exc:
            logger.warning("Stripe refused a checkout session for %s: %s", order, exc)
            raise ProviderError(str(exc)) from exc
        order.provider_reference = session["id"]
        order.save(update_fields=["provider_reference"])
        return session["url"]

    def session_params(self, order) -> dict:
        detail = settings.SITE_URL + reverse("registrations:order_detail", args=[order.public_id])
        expires_at = max(order.hold_expires_at, timezone.now() + MIN_SESSION_LIFETIME)
        with translation.override(order.language):
            line_items = [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "cad",
                        "unit_amount": cents(registration.price),
                        "product_data": {
                            "name": f"{registration.person} — {registration.group.activity.name}",
                            "description": registration.week.label,
                        },
                    },
                }
                for registration in order.registrations.select_related(
                    "person", "group__activity", "week"
                )
            ]
        return {
            "mode": "payment",
            "line_items": line_items,
            "client_reference_id": str(order.public_id),
            "metadata": {"order_id": str(order.public_id), "order_number": order.number},
            "customer_email": order.family.user.email,
            "expires_at": int(expires_at.timestamp()),
            "locale": "fr" if order.language.startswith("fr") else "en",
            "success_url": detail + "?session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": detail + "?cancelled=1",
        }

    def parse_webhook(self, request: HttpRequest) -> PaymentEvent:
        signature = request.headers.get("Stripe-Signature", "")
        if not signature or not settings.STRIPE_WEBHOOK_SECRET:
            raise InvalidSignature("missing signature")
        try:
            stripe.Webhook.construct_event(request.body, signature, settings.STRIPE_WEBHOOK_SECRET)
        except (ValueError, stripe.SignatureVerificationError) as exc:
            raise InvalidSignature(str(exc)) from exc
        # The signature is valid: read the payload as plain JSON.
        event = json.loads(request.body)
        session = event["data"]["object"]
        event_type = event["type"]
        if event_type == "checkout.session.completed":
            # Bank debits complete later (async_payment_succeeded): only "paid" confirms now.
            paid = session.get("payment_status") == "paid"
            outcome = PaymentEvent.PAID if paid else PaymentEvent.IGNORED
        else:
            outcome = OUTCOMES.get(event_type, PaymentEvent.IGNORED)
        amount = session.get("amount_total")
        return PaymentEvent(
            provider=self.name,
            event_id=event["id"],
            event_type=event_type,
            outcome=outcome,
            order_public_id=(session.get("metadata") or {}).get("order_id")
            or session.get("client_reference_id"),
            provider_reference=session.get("id", ""),
            payment_reference=session.get("payment_intent") or "",
            amount=Decimal(amount) / 100 if amount is not None else None,
        )

    def refund(self, order, amount: Decimal) -> str:
        charge = order.payments.filter(kind="charge").exclude(provider_reference="").first()
        if charge is None:
            raise ProviderError(f"No Stripe payment to refund for {order}")
        try:
            refund = stripe.Refund.create(
                api_key=self.api_key,
                payment_intent=charge.provider_reference,
                amount=cents(amount),
                idempotency_key=f"refund-{order.public_id}",
            )
        except stripe.StripeError as exc:
            raise ProviderError(str(exc)) from exc
        return refund["id"]

    def expire(self, order) -> None:
        if not order.provider_reference:
            return
        try:
            stripe.checkout.Session.expire(order.provider_reference, api_key=self.api_key)
        except stripe.StripeError as exc:  # already expired or completed: nothing to do
            logger.info("Could not expire Stripe session of %s: %s", order, exc)
