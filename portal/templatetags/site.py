"""The site's header on every page (``{% site_header %}`` in ``base.html``)."""

from django import template
from django.utils.safestring import SafeString

from portal.fragments import FragmentCache

register = template.Library()

_headers = FragmentCache("_site_header.html", max_entries=500)
_HOLES = {"csrf_token": _headers.hole("csrf"), "next_path": _headers.hole("next_path")}


@register.simple_tag(takes_context=True)
def site_header(context) -> SafeString:
    """The menu, the cart's count, the log-out and language forms: the same for every
    signed-in family with as many items in its cart, so rendered once per language and
    count; the CSRF token and the page's own address (where the language switch returns)
    fill holes."""
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    cart_count = context.get("cart_count", 0)
    request = context.get("request")
    facts = (signed_in, cart_count, context.get("municipality_name", ""))
    holes = {
        "csrf": str(context.get("csrf_token", "")),
        "next_path": request.get_full_path() if request is not None else "",
    }
    fragment_context = {
        "user": {"is_authenticated": signed_in},
        "cart_count": cart_count,
        "municipality_name": context.get("municipality_name", ""),
        **_HOLES,
    }
    return _headers.render(facts, fragment_context, holes=holes)


def forget() -> None:
    """Tests: start from nothing."""
    _headers.clear()
