from celery import shared_task

from . import services


@shared_task
def expire_stale_orders() -> int:
    """Free the holds of orders nobody paid in time (availability never waited for this)."""
    return services.expire_stale_orders()


@shared_task
def retry_unsent_refunds() -> int:
    """Late-payment refunds the provider refused or never answered: try again."""
    return services.retry_unsent_refunds()
