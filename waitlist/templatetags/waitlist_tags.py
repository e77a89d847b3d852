from django import template

from accounts.models import Family
from waitlist import selectors

register = template.Library()


@register.simple_tag
def position_label(position: int, total: int) -> str:
    """« 3e sur 12 » in French, "3rd of 12" in English."""
    return selectors.position_label(position, total)


@register.inclusion_tag("waitlist/_entries.html", takes_context=True)
def waitlist_entries(context, family: Family) -> dict:
    """The family's entries with live positions, for « Mon dossier » and the list page."""
    return {
        "entries": selectors.family_entries(family=family),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def offer_pay_path(order) -> str:
    """Where the family pays an offer (the registration app's "pay an existing order" page)."""
    from waitlist.services import offer_payment_path

    return offer_payment_path(order) if order else ""
