"""How dates, times, deadlines and money read, in Quebec French and in English.

One home for every format a family reads (pages and emails): « mardi 1 décembre 2026
à 21 h 11 », « 9 h », « 185,00 $ » with non-breaking spaces so they never wrap;
"Tuesday, December 1, 2026 at 9:11 p.m.", "$185.00". Templates use the filters of
``portal/templatetags/words.py``; Python code calls these functions.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext, ngettext

NBSP = "\u00a0"


def _lang(language: str | None) -> str:
    return (language or translation.get_language() or "fr")[:2].lower()


def _local(value):
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def format_money(amount, language: str | None = None) -> str:
    """An amount of Canadian dollars; "" when it is not a number."""
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    sign = "-" if value < 0 else ""
    grouped = f"{abs(value):,.2f}"
    if _lang(language) == "fr":
        # Quebec usage: space between thousands, decimal comma, symbol after the amount.
        return f"{sign}{grouped.replace(',', NBSP).replace('.', ',')}{NBSP}$"
    return f"{sign}${grouped}"


def format_time(value, language: str | None = None) -> str:
    """« 9 h », « 21 h 11 »; "9 a.m.", "9:11 p.m."."""
    if value in (None, ""):
        return ""
    value = _local(value)
    if isinstance(value, datetime):
        value = value.time()
    if not isinstance(value, time):
        return ""
    if _lang(language) == "fr":
        minutes = f"{NBSP}{value.minute:02d}" if value.minute else ""
        return f"{value.hour}{NBSP}h{minutes}"
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    suffix = "a.m." if value.hour < 12 else "p.m."
    return f"{hour}{minutes}{NBSP}{suffix}"


def format_date(value, language: str | None = None, *, weekday: bool = True) -> str:
    """« mardi 1 décembre 2026 »; "Tuesday, December 1, 2026" (without weekday: « 1 décembre
    2026 », "December 1, 2026")."""
    if value in (None, ""):
        return ""
    value = _local(value)
    if not isinstance(value, date):
        return ""
    language = _lang(language)
    if language == "fr":
        pattern = "l j F Y" if weekday else "j F Y"
    else:
        pattern = "l, F j, Y" if weekday else "F j, Y"
    with translation.override(language):
        text = dateformat.format(value, pattern)
    return text.replace(" ", NBSP, 1) if language == "fr" and not weekday else text


def format_day(value, language: str | None = None) -> str:
    """A short day for lists of days: « lun. 6 » / "Mon 6"."""
    value = _local(value)
    if not isinstance(value, date):
        return ""
    language = _lang(language)
    with translation.override(language):
        return dateformat.format(value, "D j")


def format_datetime(value, language: str | None = None, *, weekday: bool = True) -> str:
    """« mardi 1 décembre 2026 à 21 h 11 »; "Tuesday, December 1, 2026 at 9:11 p.m."."""
    if not isinstance(value, datetime):
        return format_date(value, language, weekday=weekday)
    language = _lang(language)
    with translation.override(language):
        joined = gettext("%(date)s at %(time)s")
    return joined % {
        "date": format_date(value, language, weekday=weekday),
        "time": format_time(value, language),
    }


def format_duration(delta: timedelta, language: str | None = None) -> str:
    """« 5 h 12 min », « 40 min »; "5 h 12 min"."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours}{NBSP}h{NBSP}{minutes:02d}{NBSP}min"
    if hours:
        return f"{hours}{NBSP}h"
    return f"{minutes}{NBSP}min"


def format_deadline(value, language: str | None = None, *, now: datetime | None = None) -> str:
    """A deadline always says its date and time; under 48 h, also the time left."""
    if not isinstance(value, datetime):
        return format_datetime(value, language)
    language = _lang(language)
    text = format_datetime(value, language)
    left = value - (now or timezone.now())
    with translation.override(language):
        if left <= timedelta(0):
            return gettext("%(deadline)s (passed)") % {"deadline": text}
        if left < timedelta(hours=48):
            return gettext("%(deadline)s (%(left)s left)") % {
                "deadline": text,
                "left": format_duration(left, language),
            }
    return text


def colon(language: str | None = None) -> str:
    """The colon after a label: « Total : » (non-breaking space before it) in French,
    "Total:" in English."""
    return f"{NBSP}:" if _lang(language) == "fr" else ":"


def iso(value) -> str:
    """For ``<time datetime>``: ISO 8601 without microseconds (the HTML checker refuses
    more than three decimals)."""
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return ""


def count_label(count: int, singular: str, plural: str) -> str:
    return ngettext(singular, plural, count) % {"count": count}
