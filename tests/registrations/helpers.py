import html
from datetime import datetime

from accounts.models import Family
from portal import emails
from portal.models import OutgoingEmail
from registrations import services
from registrations.models import Order
from registrations.payments import PaymentEvent
from registrations.payments.simulated import SimulatedProvider


def pay(order: Order, *, now: datetime | None = None) -> str:
    """The provider says the order is paid, through the same path as a webhook."""
    event = SimulatedProvider.event(order, outcome=PaymentEvent.PAID)
    return services.handle_payment_event(event=event, now=now)


def paid_order(*, family: Family, items) -> Order:
    """Cart -> checkout -> confirmed, the way a parent does it."""
    for person, groups in items:
        services.add_to_cart(family=family, person=person, groups=groups)
    order = services.checkout(family=family).order
    pay(order)
    order.refresh_from_db()
    return order


def text(response) -> str:
    """The page's text with HTML entities decoded (Django escapes apostrophes)."""
    return html.unescape(response.content.decode())


def sent_email(kind: str) -> OutgoingEmail:
    """The one email of this kind, as the worker sends it (rendered then, for some kinds)."""
    email = OutgoingEmail.objects.get(kind=kind)
    assert emails.deliver(email.pk)
    email.refresh_from_db()
    return email


TAMPERED_TICKETS = ("forged", "other_room", "no_ticket")


def tampered_refresh_url(poll_url: str, *, tamper: str, user_id: int) -> str:
    """The waiting page's refresh URL with a forged ticket, another room's, or none."""
    from django.urls import reverse

    from registrations.waiting_room import place_ticket

    base = reverse("registrations:waiting_room_status")
    ticket = poll_url.split("ticket=")[1].split("&")[0]
    return {
        "forged": f"{base}?ticket={ticket[:-3]}abc",
        "other_room": f"{base}?ticket=" + place_ticket(room_key="not a room!", user_id=user_id),
        "no_ticket": base,
    }[tamper]
