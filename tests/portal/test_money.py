from decimal import Decimal

from django.utils import translation

from portal.templatetags.money import money


def test_money_is_french_by_default_and_english_when_asked():
    with translation.override("fr"):
        assert money(Decimal("185")) == "185,00\u00a0$"
        assert money(Decimal("1234.5")) == "1\u00a0234,50\u00a0$"
    with translation.override("en"):
        assert money(Decimal("185")) == "$185.00"
        assert money(Decimal("1234.5")) == "$1,234.50"
