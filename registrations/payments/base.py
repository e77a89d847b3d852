from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.http import HttpRequest


class InvalidSignature(Exception):
    """A webhook whose signature is missing or wrong: answered 400, nothing changes."""


class MalformedEvent(Exception):
    """A validly signed body we cannot read: answered 400 and logged, nothing changes."""


class ProviderError(Exception):
    """The provider refused or did not answer (error, timeout)."""


class PaymentInProgress(Exception):
    """The provider's checkout is complete but the money is not there yet (a bank debit):
    the order may still be paid, so it must not be cancelled."""


@dataclass(frozen=True)
class RefundNews:
    """A refund as the provider reports it (ours, or one made in its dashboard)."""

    reference: str  # e.g. re_...
    payment_reference: str  # the charge's PaymentIntent
    amount: Decimal
    status: str  # "pending" | "succeeded" | "failed"


@dataclass(frozen=True)
class PaymentEvent:
    """What a provider tells us, whatever the provider: the input of ``handle_payment_event``."""

    PAID = "paid"
    FAILED = "failed"
    EXPIRED = "expired"
    REFUND = "refund"
    IGNORED = "ignored"

    provider: str
    event_id: str
    event_type: str
    outcome: str
    order_public_id: str | None = None
    provider_reference: str = ""  # e.g. the Stripe Checkout Session id
    payment_reference: str = ""  # e.g. the Stripe PaymentIntent id (what a refund needs)
    amount: Decimal | None = None
    currency: str = ""
    refunds: tuple[RefundNews, ...] = ()
    # For ``charge.refunded``: everything refunded on the payment so far.
    refunded_total: Decimal | None = None


@dataclass(frozen=True)
class RefundResult:
    reference: str
    status: str  # "pending" | "succeeded" | "failed"


class PaymentProvider(Protocol):
    name: str

    def start_checkout(self, order) -> str | PaymentEvent:
        """The URL to send the parent to, or the PAID event of a checkout already
        complete (never a new checkout over a paid one). Raises ProviderError."""

    def close_checkout(self, order) -> PaymentEvent | None:
        """Close the order's checkout so that it cannot be paid any more. Returns the PAID
        event if it was paid meanwhile; raises PaymentInProgress or ProviderError when
        the order may still be paid."""

    def checkout_result(self, order, reference: str) -> PaymentEvent | None:
        """The PAID event of the checkout the parent came back from, if it is paid."""

    def parse_webhook(self, request: HttpRequest) -> PaymentEvent:
        """Verify and parse a webhook; raises InvalidSignature or MalformedEvent."""

    def refund(self, *, payment_reference: str, amount: Decimal, key: str, order) -> RefundResult:
        """Refund ``amount`` of a charge; ``key`` makes a retry safe. Raises ProviderError."""
