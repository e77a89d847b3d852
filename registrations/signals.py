"""What other apps may react to, without registrations importing them.

Both are sent after the order's own transaction committed its change.
"""

from django.dispatch import Signal

# An order was paid and its registrations confirmed (``order=``).
order_paid = Signal()
# A pending order expired or was cancelled, or a paid one refunded: places came back (``order=``).
order_released = Signal()
