from celery import shared_task

from .payments import ProviderError
from .services import lifecycle, refunds


@shared_task
def expire_stale_orders() -> int:
    """Mark unpaid orders past their hold expired (availability never waited for this)."""
    return len(lifecycle.expire_stale_orders())


@shared_task(autoretry_for=(ProviderError,), retry_backoff=30, retry_backoff_max=600, max_retries=8)
def send_refund(payment_id: int) -> str:
    """A recorded refund, sent to the provider; retried with back-off when it refuses."""
    return refunds.send_refund(payment_id=payment_id)


@shared_task
def retry_unsent_refunds() -> int:
    """Refunds still unsent (broker down, retries exhausted): try again."""
    return refunds.retry_unsent_refunds()
