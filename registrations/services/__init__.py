"""Every write of the registration side, one module per job:

- ``cart``: the cart (reserves nothing; never changes under a pending order);
- ``payment_flow``: checkout with holds under the group locks, the provider's page, and
  ending a pending order;
- ``payment_events``: payments confirmed once, late payments, duplicates, provider news;
- ``refunds``: refunds recorded, sent after commit with retries, and followed;
- ``lifecycle``: the order's transitions themselves;
- ``emails``: the family's order emails.
"""

from .cart import CartChange, add_to_cart, remove_from_cart, take_out_of_cart
from .lifecycle import create_pending_order, expire_stale_orders, release
from .payment_events import confirm_payment, handle_payment_event
from .payment_flow import (
    CheckoutResult,
    HoldResult,
    PaymentInProgressError,
    PaymentUnavailable,
    cancel_payment,
    checkout,
    fulfil_from_return,
    hold_places,
    start_payment,
)
from .refunds import cancel_and_refund, retry_unsent_refunds, send_refund

__all__ = [
    "CartChange",
    "CheckoutResult",
    "HoldResult",
    "PaymentInProgressError",
    "PaymentUnavailable",
    "add_to_cart",
    "cancel_and_refund",
    "cancel_payment",
    "checkout",
    "confirm_payment",
    "create_pending_order",
    "expire_stale_orders",
    "fulfil_from_return",
    "handle_payment_event",
    "hold_places",
    "release",
    "remove_from_cart",
    "retry_unsent_refunds",
    "send_refund",
    "start_payment",
    "take_out_of_cart",
]
