from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def expire_waitlist_offers() -> int:
    """Every minute: expire unpaid offers, then promote the next family or tell staff."""
    return services.expire_offers(now=timezone.now())
