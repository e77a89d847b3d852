from celery import shared_task

from . import services


@shared_task
def expire_stale_orders() -> int:
    """Free the holds of orders nobody paid in time (availability never waited for this)."""
    return services.expire_stale_orders()
