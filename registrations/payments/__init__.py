"""Payment providers behind one small interface; ``get_provider()`` picks the configured one."""

from django.conf import settings

from .base import InvalidSignature, PaymentEvent, PaymentProvider, ProviderError

__all__ = [
    "InvalidSignature",
    "PaymentEvent",
    "PaymentProvider",
    "ProviderError",
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
