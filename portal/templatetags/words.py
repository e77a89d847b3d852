"""Template filters over ``portal.words``: one way to write dates, times and money.

``{{ amount|money }}``, ``{{ when|datetime }}``, ``{{ day|longdate }}``, ``{{ day|shortdate }}``,
``{{ when|hour }}``, ``{{ deadline|deadline }}``, ``{{ when|iso }}``, and ``{% colon %}`` after a
label (« Total : » in French, "Total:" in English).
"""

from django import template

from portal import words

register = template.Library()


@register.filter
def money(amount) -> str:
    return words.format_money(amount)


@register.filter(name="datetime")
def datetime_filter(value) -> str:
    return words.format_datetime(value)


@register.filter
def longdate(value) -> str:
    return words.format_date(value)


@register.filter
def shortdate(value) -> str:
    return words.format_date(value, weekday=False)


@register.filter
def shortday(value) -> str:
    return words.format_day(value)


@register.filter
def hour(value) -> str:
    return words.format_time(value)


@register.filter
def deadline(value) -> str:
    return words.format_deadline(value)


@register.filter
def iso(value) -> str:
    return words.iso(value)


@register.simple_tag
def colon() -> str:
    return words.colon()
