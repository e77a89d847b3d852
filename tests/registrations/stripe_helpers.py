import hashlib
import hmac
import json
import time

WEBHOOK_SECRET = "whsec_test_secret"


def signed(payload: dict, secret: str = WEBHOOK_SECRET) -> tuple[bytes, str]:
    """A body and its Stripe-Signature header, made the way Stripe makes them."""
    body = json.dumps(payload).encode()
    timestamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return body, f"t={timestamp},v1={digest.hexdigest()}"


def session_event(order, event_id: str, event_type: str, *, payment_status: str = "paid") -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "data": {
            "object": {
                "id": "cs_test_123",
                "object": "checkout.session",
                "payment_status": payment_status,
                "payment_intent": "pi_test_123",
                "amount_total": int(order.total * 100),
                "client_reference_id": str(order.public_id),
                "metadata": {"order_id": str(order.public_id)},
            }
        },
    }
