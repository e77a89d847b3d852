from datetime import datetime

from django.utils import timezone

from finances.models import PayerInfo
from registrations.models import Payment

SIN = "046454286"  # a valid test number (Luhn), never issued to anyone


def at(year: int, month: int, day: int) -> datetime:
    return timezone.make_aware(datetime(year, month, day, 10, 0))


def dated(payments, when: datetime) -> None:
    """Move payments to ``when``: the tests play a whole year in a moment."""
    Payment.objects.filter(pk__in=[p.pk for p in payments]).update(created_at=when)


def payer_for(family, sin: str = SIN) -> PayerInfo:
    return PayerInfo.objects.create(
        family=family,
        first_name="Marie",
        last_name=family.guardian_last_name,
        address="12 rue des Érables",
        city="Saint-Exemple",
        postal_code="J1H 2K3",
        sin=sin,
    )
