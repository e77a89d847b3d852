"""Writes of the finances app: the payer a family names for its RL-24 slips."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from accounts.models import Family
from portal.errors import DomainError

from .models import PayerInfo
from .validators import normalise_sin, validate_sin

logger = logging.getLogger(__name__)


@sensitive_variables("sin")  # an error report's frame variables never show the number
@transaction.atomic
def save_payer(
    *,
    family: Family,
    first_name: str,
    last_name: str,
    address: str,
    city: str,
    postal_code: str,
    sin: str = "",
) -> PayerInfo:
    """Create or update the family's payer. A blank ``sin`` keeps the number on file (the
    page never shows it back); a new one must pass the Luhn check. Nothing here logs the
    number, and the error says what is wrong without repeating it."""
    sin = normalise_sin(sin)
    payer = PayerInfo.objects.select_for_update().filter(family=family).first()
    if sin:
        try:
            validate_sin(sin)
        except ValidationError as error:
            raise DomainError(str(error.messages[0]), code="invalid_sin") from None
    elif payer is None or not payer.sin:
        raise DomainError(_("Enter the payer's social insurance number."), code="sin_required")
    payer = payer or PayerInfo(family=family)
    payer.first_name = first_name.strip()
    payer.last_name = last_name.strip()
    payer.address = address.strip()
    payer.city = city.strip()
    payer.postal_code = postal_code.strip().upper()
    if sin:
        payer.sin = sin
    payer.save()
    logger.info("RL-24 payer saved for family %s (number changed: %s)", family.pk, bool(sin))
    return payer
