"""One money format for every page: "185,00 $" in French, "$185.00" in English.

French amounts use non-breaking spaces (never « 185,00 / $ » on two lines)."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from portal.templatetags.money import format_money


@pytest.mark.parametrize(
    "language, amount, expected",
    [
        ("fr", Decimal("185"), "185,00\u00a0$"),
        ("fr-ca", Decimal("1234.5"), "1\u00a0234,50\u00a0$"),
        ("en", Decimal("185"), "$185.00"),
        ("en", Decimal("1234.5"), "$1,234.50"),
        ("fr", Decimal("-20"), "-20,00\u00a0$"),
        ("en", "-20", "-$20.00"),
        ("fr", 0, "0,00\u00a0$"),
        ("fr", None, ""),
        ("fr", "abc", ""),
    ],
)
def test_format_money_follows_the_language(language, amount, expected):
    assert format_money(amount, language) == expected


def test_money_filter_uses_the_active_language():
    template = Template("{% load money %}{{ amount|money }}")
    with translation.override("fr"):
        assert template.render(Context({"amount": Decimal("185.00")})) == "185,00\u00a0$"
    with translation.override("en"):
        assert template.render(Context({"amount": Decimal("185.00")})) == "$185.00"
