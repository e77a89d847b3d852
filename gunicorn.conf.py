"""Gunicorn for production and the opening-night benchmark.

Web processes are stateless (sessions in the database, cache and broker in Redis),
so more machines simply run more of these against the same PostgreSQL and Redis.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sized from the opening-night benchmark (README): one worker per core, and few threads.
# Threads share one interpreter lock: with 8 a thread holding a group lock in PostgreSQL
# waited behind 7 others rendering pages (lock held p95 2.7 s); with 2, p95 91 ms. On two
# cores, 2 workers against 3 held the lock half as long and paid faster in three pairs of
# runs: a third process only took turns with PostgreSQL and the worker for the same cores.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 5000
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
# Django's own log lines (e.g. registrations.locks) go to the same error log.
capture_output = True
loglevel = os.environ.get("LOG_LEVEL", "warning").lower()
wsgi_app = "portal.wsgi:application"


def post_worker_init(worker) -> None:
    """Before the worker takes requests: what Django would load on its first ones."""
    from portal.warmup import warm_up

    warm_up()
