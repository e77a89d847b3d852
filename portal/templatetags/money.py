"""``{{ amount|money }}``: kept for templates that load only ``money``; see ``portal.words``."""

from django import template

from portal.words import format_money

register = template.Library()


@register.filter
def money(amount) -> str:
    return format_money(amount)


__all__ = ["format_money", "money", "register"]
