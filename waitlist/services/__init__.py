"""Waiting-list writes: ``entries`` (join, move) and ``offers`` (offer, decline, the sweep
that gives freed places to the line)."""

from .entries import join_from_cart, join_waitlist, move_entry
from .offers import (
    leave_waitlist,
    notify_staff_of_free_places,
    offer_next,
    offer_payment_path,
    offer_payment_url,
    offer_place,
    serve_group,
    serve_waiting_lines,
)

__all__ = [
    "join_from_cart",
    "join_waitlist",
    "leave_waitlist",
    "move_entry",
    "notify_staff_of_free_places",
    "offer_next",
    "offer_payment_path",
    "offer_payment_url",
    "offer_place",
    "serve_group",
    "serve_waiting_lines",
]
