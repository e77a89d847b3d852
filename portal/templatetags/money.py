"""``{{ amount|money }}``: "185,00 $" in French, "$185.00" in English (CAD)."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import get_language

register = template.Library()


def format_money(amount, language: str | None = None) -> str:
    """Format an amount of dollars for the active (or given) language; "" if not a number."""
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    language = (language or get_language() or "fr").lower()
    sign = "-" if value < 0 else ""
    grouped = f"{abs(value):,.2f}"
    if language.startswith("fr"):
        # Quebec usage: space between thousands, decimal comma, symbol after the amount.
        return f"{sign}{grouped.replace(',', ' ').replace('.', ',')} $"
    return f"{sign}${grouped}"


@register.filter
def money(amount) -> str:
    return format_money(amount)
