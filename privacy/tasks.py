"""Thin Celery wrappers over the privacy services."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def build_export_task(export_id: int) -> None:
    services.build_export(export_id=export_id)


@shared_task
def apply_retention() -> dict[str, int]:
    plan = services.apply_retention()
    return {kind: len(ids) for kind, ids in plan.ids.items()}
