"""Stripe as Stripe behaves, for tests: full objects from Stripe's published fixtures, its
documented rules enforced on what our code sends, and webhooks signed as Stripe signs.

``FakeStripe`` answers the SDK's HTTP calls (through ``responses``) for Checkout Sessions
and Refunds. It refuses, with Stripe's error shape, a session expiring outside 30 min to
24 h after creation, an idempotency key reused with other parameters, and expiring a
session that is not open. Tests then play the parent (``complete``) or the Dashboard.
"""

import copy
import hashlib
import hmac
import json
import re
import time
from pathlib import Path
from urllib.parse import parse_qsl

import responses

WEBHOOK_SECRET = "whsec_test_secret"
API = "https://api.stripe.com/v1"
FIXTURES = json.loads(
    (Path(__file__).resolve().parents[3] / "shared/stripe/fixtures3.json").read_text()
)["resources"]


def fixture(name: str) -> dict:
    return copy.deepcopy(FIXTURES[name])


def signed(payload: dict, secret: str = WEBHOOK_SECRET) -> tuple[bytes, str]:
    """A body and its Stripe-Signature header, made the way Stripe makes them."""
    body = json.dumps(payload).encode()
    timestamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return body, f"t={timestamp},v1={digest.hexdigest()}"


def event(obj: dict, event_type: str, event_id: str) -> dict:
    """Stripe's ``event`` fixture wrapping ``obj``."""
    wrapped = fixture("event")
    wrapped.update(id=event_id, type=event_type, data={"object": copy.deepcopy(obj)})
    return wrapped


def nested(form: list[tuple[str, str]]) -> dict:
    """Stripe's form encoding (``a[b][0][c]=v``) back into dicts and lists."""
    root: dict = {}
    for key, value in form:
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part, following in zip(parts, [*parts[1:], None], strict=True):
            if following is None:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _lists(root)


def _lists(node):
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_lists(node[k]) for k in sorted(node, key=int)]
        return {k: _lists(v) for k, v in node.items()}
    return node


class StripeError(Exception):
    pass


class FakeStripe:
    def __init__(self, mock: responses.RequestsMock) -> None:
        self.sessions: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.keys: dict[str, tuple[str, dict]] = {}  # idempotency key -> (body, answer)
        self.created: list[dict] = []  # parameters of every session created
        self.refund_requests: list[dict] = []
        self.failing = 0  # answer the next N calls with a 500
        self.refund_status = "succeeded"
        self.mock = mock
        mock.add_callback("POST", f"{API}/checkout/sessions", self._create_session)
        mock.add_callback(
            "POST", re.compile(rf"{API}/checkout/sessions/[^/]+/expire"), self._expire_session
        )
        mock.add_callback("GET", re.compile(rf"{API}/checkout/sessions/[^/?]+"), self._get_session)
        mock.add_callback("POST", f"{API}/refunds", self._create_refund)

    # --- What the parent and the Dashboard do ---------------------------------------------

    def complete(self, session_id: str, *, payment_status: str = "paid", intent: str = "") -> dict:
        session = self.sessions[session_id]
        session.update(
            status="complete",
            payment_status=payment_status,
            payment_intent=intent or f"pi_{session_id[3:]}",
        )
        return session

    def lapse(self, session_id: str) -> dict:
        self.sessions[session_id]["status"] = "expired"
        return self.sessions[session_id]

    def charge(self, session: dict, *, amount_refunded: int = 0, refunds=()) -> dict:
        charge = fixture("charge")
        charge.update(
            id=f"ch_{session['id'][3:]}",
            amount=session["amount_total"],
            amount_captured=session["amount_total"],
            amount_refunded=amount_refunded,
            currency=session["currency"],
            payment_intent=session["payment_intent"],
            refunded=amount_refunded >= session["amount_total"],
        )
        charge["refunds"]["data"] = list(refunds)
        return charge

    def dashboard_refund(self, session: dict, amount: int, *, status: str = "succeeded") -> dict:
        refund = fixture("refund")
        refund.update(
            id=f"re_dash_{len(self.refunds)}",
            amount=amount,
            currency=session["currency"],
            payment_intent=session["payment_intent"],
            status=status,
            metadata={},
        )
        self.refunds[refund["id"]] = refund
        return refund

    # --- The API -----------------------------------------------------------------------------

    def _answer(self, request, make) -> tuple[int, dict, str]:
        if self.failing:
            self.failing -= 1
            return self._error(500, "api_error", "Something went wrong on Stripe's end.")
        key = request.headers.get("Idempotency-Key")
        body = request.body or ""
        if key and key in self.keys:
            seen_body, answer = self.keys[key]
            if seen_body != body:
                return self._error(
                    400,
                    "idempotency_error",
                    "Keys for idempotent requests can only be used with the same parameters "
                    "they were first used with.",
                )
            return 200, {}, json.dumps(answer)
        try:
            answer = make(nested(parse_qsl(body)))
        except StripeError as exc:
            return self._error(400, "invalid_request_error", str(exc))
        if key:
            self.keys[key] = (body, answer)
        return 200, {}, json.dumps(answer)

    @staticmethod
    def _error(status: int, kind: str, message: str) -> tuple[int, dict, str]:
        return status, {}, json.dumps({"error": {"type": kind, "message": message}})

    def _create_session(self, request):
        def make(params: dict) -> dict:
            now = int(time.time())
            expires_at = int(params.get("expires_at", now + 24 * 3600))
            if not now + 30 * 60 <= expires_at <= now + 24 * 3600:
                raise StripeError(
                    "The `expires_at` timestamp must be between 30 minutes and 24 hours from "
                    "Checkout Session creation."
                )
            lines = params["line_items"]
            session = fixture("checkout.session")
            session_id = f"cs_test_{len(self.sessions) + 1:04d}"
            session.update(
                id=session_id,
                status="open",
                payment_status="unpaid",
                payment_intent=None,
                url=f"https://checkout.stripe.com/c/pay/{session_id}",
                amount_total=sum(
                    int(li["price_data"]["unit_amount"]) * int(li["quantity"]) for li in lines
                ),
                currency=lines[0]["price_data"]["currency"],
                metadata=params.get("metadata", {}),
                client_reference_id=params.get("client_reference_id"),
                expires_at=expires_at,
                created=now,
                locale=params.get("locale"),
                success_url=params.get("success_url"),
            )
            self.sessions[session_id] = session
            self.created.append(params)
            return session

        return self._answer(request, make)

    def _get_session(self, request):
        session_id = request.path_url.split("?")[0].rsplit("/", 1)[-1]
        if session_id not in self.sessions:
            return self._error(
                404, "invalid_request_error", f"No such checkout.session: {session_id}"
            )
        return 200, {}, json.dumps(self.sessions[session_id])

    def _expire_session(self, request):
        session_id = request.path_url.split("/")[-2]

        def make(_params: dict) -> dict:
            session = self.sessions[session_id]
            if session["status"] != "open":
                raise StripeError(
                    'Only Checkout Sessions with a status in ["open"] can be expired.'
                )
            session["status"] = "expired"
            return session

        return self._answer(request, make)

    def _create_refund(self, request):
        def make(params: dict) -> dict:
            self.refund_requests.append(params)
            refund = fixture("refund")
            refund.update(
                id=f"re_test_{len(self.refunds) + 1:04d}",
                amount=int(params["amount"]),
                currency="cad",
                payment_intent=params["payment_intent"],
                metadata=params.get("metadata", {}),
                status=self.refund_status,
            )
            self.refunds[refund["id"]] = refund
            return refund

        return self._answer(request, make)


def paid_session(order, *, session_id: str = "cs_test_paid", intent: str = "pi_test_paid") -> dict:
    """Stripe's session fixture as a paid checkout of ``order`` (what a webhook carries)."""
    session = fixture("checkout.session")
    session.update(
        id=session_id,
        status="complete",
        payment_status="paid",
        payment_intent=intent,
        amount_total=int(order.total * 100),
        currency="cad",
        client_reference_id=str(order.public_id),
        metadata={"order_id": str(order.public_id), "order_number": order.number},
    )
    return session
