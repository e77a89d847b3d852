"""The waiting list's answers to registrations' order events."""

from . import services


def order_paid(sender, *, order, **kwargs) -> None:
    services.on_order_paid(order=order)


def order_released(sender, *, order, **kwargs) -> None:
    services.on_order_released(order=order)
