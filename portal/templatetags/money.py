from decimal import Decimal

from django import template
from django.utils.translation import get_language

register = template.Library()
NBSP = "\u00a0"


@register.filter
def money(amount) -> str:
    """CAD amounts: « 185,00 $ » in French, "$185.00" in English."""
    if amount is None or amount == "":
        return ""
    value = Decimal(amount).quantize(Decimal("0.01"))
    sign = "-" if value < 0 else ""
    whole, cents = f"{abs(value):.2f}".split(".")
    groups = f"{int(whole):,}"
    if (get_language() or "fr").startswith("fr"):
        groups = groups.replace(",", NBSP)
        return f"{sign}{groups},{cents}{NBSP}$"
    return f"{sign}${groups}.{cents}"
