from celery import shared_task

from . import services


@shared_task
def serve_waiting_lines() -> dict[str, int]:
    """Every 30 s: expire unpaid holds and offers, then give freed places to the line."""
    return services.serve_waiting_lines()
