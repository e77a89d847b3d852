import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Celery's Django fixup closes the task's database connection before and after every task
# unless told how many tasks may reuse it: each email then paid for a new PostgreSQL
# session (a forked backend, authentication, cold catalogue caches, no prepared statement),
# about a tenth of the worker's CPU on opening night. The fixup is told « never », and the
# connections are checked around each task as Django checks them around a request: closed
# once older than CONN_MAX_AGE or broken, health-checked once per task.
app.conf.update(CELERY_DB_REUSE_MAX=2**62)


@task_prerun.connect
@task_postrun.connect
def _check_database_connections(sender=None, **_kwargs) -> None:
    # A task run eagerly (no broker: ``make run``, the tests) runs inside the caller's
    # request or transaction, whose connection is not the task's to close.
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


@worker_ready.connect
@worker_process_init.connect
def _warm_up(**_kwargs) -> None:
    # Where tasks run: the worker's own process (threads pool, as deployed), or each child
    # of a prefork pool. Loaded before the first task rather than during the first rush.
    from portal.warmup import RUSH_EMAIL_TEMPLATES, warm_up

    warm_up(templates=RUSH_EMAIL_TEMPLATES)
