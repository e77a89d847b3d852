"""A local « Paiement simulé » page: no money moves (demos, tests, the load benchmark)."""

import uuid
from decimal import Decimal

from django.http import HttpRequest
from django.urls import reverse

from .base import InvalidSignature, PaymentEvent, RefundResult


class SimulatedProvider:
    name = "simulated"

    def start_checkout(self, order) -> str:
        return reverse("registrations:simulated_payment", args=[order.public_id])

    def close_checkout(self, order) -> None:
        return None  # the page refuses any order that is not awaiting payment

    def checkout_result(self, order, reference: str) -> None:
        return None  # the page's buttons already went through handle_payment_event

    def parse_webhook(self, request: HttpRequest) -> PaymentEvent:
        raise InvalidSignature("The simulated provider sends no webhooks.")

    def refund(self, *, payment_reference: str, amount: Decimal, key: str, order) -> RefundResult:
        return RefundResult(reference=f"sim-refund-{key}", status="succeeded")

    @staticmethod
    def event(order, *, outcome: str) -> PaymentEvent:
        """The event the « Payer » / « Refuser » buttons feed to the webhook code path."""
        return PaymentEvent(
            provider="simulated",
            event_id=f"sim-{uuid.uuid4().hex}",
            event_type=f"simulated.{outcome}",
            outcome=outcome,
            order_public_id=str(order.public_id),
            provider_reference=f"sim-{order.public_id}",
            payment_reference=f"sim-pay-{order.public_id}",
            amount=order.total,
            currency="cad",
        )
