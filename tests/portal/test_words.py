"""One way to write dates, times, deadlines and money, in Quebec French and in English."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from portal import words

NB = "\u00a0"
MONTREAL = ZoneInfo("America/Toronto")
EVENING = datetime(2026, 12, 1, 21, 11, 42, 123456, tzinfo=MONTREAL)


def test_french_datetime_reads_like_quebec():
    assert words.format_datetime(EVENING, "fr") == f"mardi 1 décembre 2026 à 21{NB}h{NB}11"


def test_english_datetime_reads_like_english():
    assert words.format_datetime(EVENING, "en") == f"Tuesday, December 1, 2026 at 9:11{NB}p.m."


@pytest.mark.parametrize(
    "language, value, expected",
    [
        ("fr", time(9, 0), f"9{NB}h"),
        ("fr", time(16, 30), f"16{NB}h{NB}30"),
        ("en", time(9, 0), f"9{NB}a.m."),
        ("en", time(0, 5), f"12:05{NB}a.m."),
        ("en", time(12, 0), f"12{NB}p.m."),
    ],
)
def test_times(language, value, expected):
    assert words.format_time(value, language) == expected


def test_dates_without_weekday():
    assert words.format_date(date(2027, 6, 28), "fr", weekday=False) == f"28{NB}juin 2027"
    assert words.format_date(date(2027, 6, 28), "en", weekday=False) == "June 28, 2027"


def test_a_deadline_under_48_hours_says_the_time_left_and_keeps_its_date():
    now = EVENING - timedelta(hours=47, minutes=30)
    text = words.format_deadline(EVENING, "fr", now=now)
    assert text.startswith("mardi 1 décembre 2026 à 21")
    assert f"47{NB}h{NB}30{NB}min" in text
    english = words.format_deadline(EVENING, "en", now=now)
    assert english.startswith("Tuesday, December 1, 2026") and "left" in english


def test_a_far_deadline_is_only_its_date():
    now = EVENING - timedelta(days=5)
    assert words.format_deadline(EVENING, "fr", now=now) == words.format_datetime(EVENING, "fr")


def test_a_passed_deadline_says_so():
    assert "(" in words.format_deadline(EVENING, "en", now=EVENING + timedelta(minutes=1))


def test_iso_has_no_microseconds():
    assert words.iso(EVENING) == "2026-12-01T21:11:42-05:00"


def test_colon_follows_the_language():
    template = Template("{% load i18n words %}{% translate 'Total' %}{% colon %} {{ n|money }}")
    with translation.override("en"):
        assert template.render(Context({"n": Decimal("370")})) == "Total: $370.00"
    with translation.override("fr"):
        assert template.render(Context({"n": Decimal("370")})) == f"Total{NB}: 370,00{NB}$"


def test_templates_use_the_helpers_not_ad_hoc_formats():
    """``|date:`` and ``|time:`` would bring back « 21:11 » without a date."""
    root = Path(settings.BASE_DIR) / "templates"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file()
        and not path.is_relative_to(root / "admin")
        and ("|date:" in path.read_text() or "|time:" in path.read_text())
    ]
    assert offenders == []


def test_no_french_spacing_before_a_colon_in_templates():
    """« Total : » hard-coded reads « Total : $370.00 » in English; ``{% colon %}`` instead."""
    root = Path(settings.BASE_DIR) / "templates"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file()
        and not path.is_relative_to(root / "admin")
        and ("%} : " in path.read_text() or "</a> : " in path.read_text())
    ]
    assert offenders == []
