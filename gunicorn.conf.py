"""Gunicorn for production and the opening-night benchmark.

Web processes are stateless (sessions in the database, cache and broker in Redis),
so more machines simply run more of these against the same PostgreSQL and Redis.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Threads let a worker serve other parents while one request waits on PostgreSQL.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
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
