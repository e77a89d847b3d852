from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.http import HttpRequest


class InvalidSignature(Exception):
    """A webhook whose signature is missing or wrong: answered 400, nothing changes."""


class ProviderError(Exception):
    """The provider refused or did not answer (error, timeout)."""


@dataclass(frozen=True)
class PaymentEvent:
    """What a provider tells us, whatever the provider: the input of ``handle_payment_event``."""

    PAID = "paid"
    FAILED = "failed"
    EXPIRED = "expired"
    IGNORED = "ignored"

    provider: str
    event_id: str
    event_type: str
    outcome: str
    order_public_id: str | None = None
    provider_reference: str = ""  # e.g. the Stripe Checkout Session id
    payment_reference: str = ""  # e.g. the Stripe PaymentIntent id (what a refund needs)
    amount: Decimal | None = None


class PaymentProvider(Protocol):
    name: str

    def start_checkout(self, order) -> str:
        """Start paying ``order``; returns the URL to send the parent to."""

    def parse_webhook(self, request: HttpRequest) -> PaymentEvent:
        """Verify and parse a webhook; raises InvalidSignature."""

    def refund(self, order, amount: Decimal) -> str:
        """Refund ``amount`` of the order's payment; returns the refund reference."""

    def expire(self, order) -> None:
        """Close the provider's checkout for an order that will not be paid any more."""
