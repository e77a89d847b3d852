"""Payment providers behind one small interface; ``get_provider()`` picks the configured one."""

from django.conf import settings

from .base import (
    InvalidSignature,
    MalformedEvent,
    PaymentEvent,
    PaymentInProgress,
    PaymentProvider,
    ProviderError,
    RefundNews,
    RefundResult,
)

__all__ = [
    "InvalidSignature",
    "MalformedEvent",
    "PaymentEvent",
    "PaymentInProgress",
    "PaymentProvider",
    "ProviderError",
    "RefundNews",
    "RefundResult",
    "get_provider",
]


def get_provider(name: str | None = None) -> PaymentProvider:
    name = name or settings.PAYMENT_PROVIDER
    if name == "stripe":
        from .stripe import StripeProvider

        return StripeProvider()
    if name == "simulated":
        from .simulated import SimulatedProvider

        return SimulatedProvider()
    raise ValueError(f"Unknown payment provider {name!r}")
