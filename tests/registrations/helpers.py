import html

from accounts.models import Family
from registrations import services
from registrations.models import Order


def paid_order(*, family: Family, items) -> Order:
    """Cart -> checkout -> confirmed, the way a parent does it."""
    for person, groups in items:
        services.add_to_cart(family=family, person=person, groups=groups)
    order = services.checkout(family=family).order
    services.confirm_payment(order=order, provider_reference="test", amount=order.total)
    order.refresh_from_db()
    return order


def text(response) -> str:
    """The page's text with HTML entities decoded (Django escapes apostrophes)."""
    return html.unescape(response.content.decode())
