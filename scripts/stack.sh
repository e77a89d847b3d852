#!/usr/bin/env bash
# Start or stop the production layout locally, as processes (no containers):
# gunicorn (web), a Celery worker and Celery beat, on this machine's PostgreSQL and Redis.
#   scripts/stack.sh start | stop | status
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
RUN_DIR=${RUN_DIR:-var/run}
mkdir -p "$RUN_DIR" var/log

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/camps}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export SECRET_KEY=${SECRET_KEY:-local-production-layout-$(hostname)-not-for-the-internet}
# A fixed key for this local layout only; production sets its own Fernet key.
export FIELD_ENCRYPTION_KEY=${FIELD_ENCRYPTION_KEY:-bG9jYWwtbGF5b3V0LW9ubHktbm90LWEtc2VjcmV0ISE=}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
export SECURE_COOKIES=${SECURE_COOKIES:-0}
export DEBUG=0

start() {
  createdb -h 127.0.0.1 -U postgres "$(basename "${DATABASE_URL%%\?*}")" 2>/dev/null || true
  "$VENV/bin/python" manage.py migrate --noinput >/dev/null
  "$VENV/bin/python" manage.py collectstatic --noinput >/dev/null
  # WEB_NICE lowers the pages' CPU priority (default 0: at 5, measured, the pages' p95 grew
  # threefold behind PostgreSQL and the lock holders waited longer).
  nice -n "${WEB_NICE:-0}" "$VENV/bin/gunicorn" -c gunicorn.conf.py --daemon \
    --pid "$RUN_DIR/gunicorn.pid" --error-logfile var/log/gunicorn.log
  if [ -n "${WAITING_BIND:-}" ]; then
    # The TLS proxy sends /inscription/salle-d-attente/ here (the page and its refreshes):
    # the families arriving and thousands of 1 ms refreshes then never queue behind the
    # pages of the admitted families.
    # An event loop (registrations/waiting_asgi.py) answers the refreshes; the page itself
    # goes to Django in one thread. Never recycled (--max-requests 0): it keeps nothing per
    # request, and a restart every 5,000 refreshes (every few seconds in a full room) cost
    # a Django start-up each time, with the refreshes queued meanwhile.
    "$VENV/bin/gunicorn" -c gunicorn.conf.py --daemon --bind "$WAITING_BIND" \
      --workers "${WAITING_WORKERS:-1}" --max-requests 0 -k uvicorn_worker.UvicornWorker \
      --pid "$RUN_DIR/gunicorn-waiting.pid" --error-logfile var/log/gunicorn-waiting.log \
      registrations.waiting_asgi:application
  fi
  # Threads: the tasks mostly wait on SMTP, and one process spares prefork's hand-off of each
  # task to a child (benchmark: 16 -> 13-14 ms of worker CPU per paid checkout).
  # CELERY_POOL=prefork brings the children back.
  # Below the pages in CPU priority (WORKER_NICE): on a shared machine the emails wait a few
  # seconds during a rush, the parents' clicks do not. Alone, it runs at full speed.
  nice -n "${WORKER_NICE:-10}" "$VENV/bin/celery" -A portal worker --detach \
    --concurrency "${CELERY_CONCURRENCY:-2}" \
    --pool "${CELERY_POOL:-threads}" --pidfile "$RUN_DIR/celery-worker.pid" \
    --logfile var/log/celery-worker.log --loglevel "${CELERY_LOG_LEVEL:-INFO}"
  "$VENV/bin/celery" -A portal beat --detach --pidfile "$RUN_DIR/celery-beat.pid" \
    --schedule "$RUN_DIR/celerybeat-schedule" --logfile var/log/celery-beat.log --loglevel INFO
  for _ in $(seq 1 50); do
    if curl -fsS "http://${GUNICORN_BIND:-127.0.0.1:8000}/healthz" >/dev/null 2>&1; then
      echo "web, worker and beat are up: http://${GUNICORN_BIND:-127.0.0.1:8000}/"
      return 0
    fi
    sleep 0.2
  done
  echo "the web process did not answer /healthz; see var/log/gunicorn.log" >&2
  return 1
}

stop() {
  for name in gunicorn gunicorn-waiting celery-worker celery-beat; do
    pidfile="$RUN_DIR/$name.pid"
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if kill -TERM "$pid" 2>/dev/null; then
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
  echo "stopped"
}

status() {
  for name in gunicorn gunicorn-waiting celery-worker celery-beat; do
    pidfile="$RUN_DIR/$name.pid"
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "$name: running (pid $(cat "$pidfile"))"
    else
      echo "$name: stopped"
    fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
