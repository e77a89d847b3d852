"""The social insurance number (NAS / SIN): nine digits whose last one is a Luhn check digit."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SIN_INVALID = _(
    "Enter a valid social insurance number: 9 digits, as on the card (for example "
    "046 454 286). Check each digit: the last one does not match the others."
)


def normalise_sin(value: str) -> str:
    """« 046 454 286 » or « 046-454-286 » -> « 046454286 » (spaces and dashes dropped)."""
    return re.sub(r"[\s\-]", "", value or "")


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def validate_sin(value: str) -> None:
    """Nine digits passing the Luhn check. The error never repeats the number typed."""
    digits = normalise_sin(value)
    if not (len(digits) == 9 and digits.isdigit() and luhn_valid(digits)):
        raise ValidationError(SIN_INVALID, code="invalid_sin")
