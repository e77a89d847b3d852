"""The waiting room's own process (``registrations.waiting_asgi``): its event loop answers the
waiting page's refreshes as Django's view does, and hands every other request to Django."""

import asyncio
import html
import os
import re
import signal
import socket
import subprocess
from datetime import timedelta

import pytest
import requests
import time_machine
from django.urls import reverse

from portal import waiting_room as queue_module
from registrations import waiting_asgi
from tests.load.drill_processes import ROOT, VENV_BIN, free_port, wait_until

from .helpers import TAMPERED_TICKETS, tampered_refresh_url

pytestmark = pytest.mark.usefixtures("redis_required")


def call(url: str, *, method: str = "GET", headers: dict | None = None):
    """One request through the ASGI application: (status, headers, body)."""
    path, _, query = url.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(waiting_asgi.application(scope, receive, send))
    start, bodies = sent[0], sent[1:]
    answered = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], answered, b"".join(m.get("body", b"") for m in bodies).decode()


@pytest.fixture
def poll_url(parent_client, opening_soon):
    page = parent_client.get(reverse("registrations:cart"), follow=True)
    return page.context["status"]["poll_url"]


def test_a_refresh_answers_what_djangos_view_answers_with_no_sql(
    parent_client, poll_url, django_assert_num_queries
):
    with django_assert_num_queries(0):
        status, headers, body = call(poll_url)
    assert status == 200
    assert body == parent_client.get(poll_url).content.decode()
    assert "L'inscription ouvre dans 10 minutes." in body
    assert headers["cache-control"] == "no-store, private"
    assert "camera=()" in headers["permissions-policy"]
    assert int(headers["content-length"]) == len(body.encode())
    next_poll = html.unescape(re.search(r'hx-get="([^"]+)"', body).group(1))
    assert next_poll == poll_url  # the ticket is passed on


def test_a_refresh_speaks_the_familys_language(poll_url):
    _status, _headers, body = call(poll_url, headers={"Accept-Language": "en"})
    assert "Registration opens in 10 minutes." in body
    _status, _headers, body = call(
        poll_url, headers={"Accept-Language": "en", "Cookie": "django_language=fr"}
    )
    assert "L'inscription ouvre dans 10 minutes." in body


def test_an_admitted_family_is_sent_on(poll_url, opening_soon):
    with time_machine.travel(opening_soon.opens_at + timedelta(seconds=1), tick=False):
        status, headers, body = call(poll_url)
    assert status == 200
    assert headers["hx-redirect"] == reverse("registrations:cart")
    assert body == ""


@pytest.mark.parametrize("tamper", TAMPERED_TICKETS)
def test_a_refresh_without_a_valid_ticket_shows_no_place(family, poll_url, tamper):
    url = tampered_refresh_url(poll_url, tamper=tamper, user_id=family.user.pk)
    status, headers, body = call(url)
    assert (status, headers["hx-redirect"]) == (200, reverse("registrations:register"))
    assert 'id="waiting-status"' not in body


def test_redis_unreachable_keeps_the_page_polling(poll_url, settings, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    queue_module.reset()
    status, headers, body = call(poll_url)
    assert (status, body) == (204, "")
    assert "hx-redirect" not in headers
    assert "Waiting room unreachable" in caplog.text


def test_other_requests_go_to_django(poll_url):
    # The waiting page itself needs the session: Django answers it (here, sign in first).
    status, headers, _body = call(reverse("registrations:waiting_room"))
    assert status == 302 and reverse("account_login") in headers["location"]
    # The refresh's URL with another method is Django's too, which refuses it.
    status, _headers, _body = call(poll_url, method="POST")
    assert status == 405


@pytest.fixture
def production_server(settings):
    """The layout's command (scripts/stack.sh): gunicorn's uvicorn worker on this module.
    Yields its port."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--max-requests",
            "0",
            "-k",
            "uvicorn_worker.UvicornWorker",
            "registrations.waiting_asgi:application",
        ],
        env={
            **os.environ,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "REDIS_URL": settings.REDIS_URL,
            "WAITING_ROOM_KEY_PREFIX": settings.WAITING_ROOM_KEY_PREFIX,  # this test's rooms
        },
        cwd=ROOT,
    )
    try:
        # Answered by the worker (the master accepts connections before the worker is up),
        # on the event loop: any answer will do.
        ready_url = f"http://127.0.0.1:{port}{reverse('registrations:waiting_room_status')}"

        def answers() -> bool:
            try:
                requests.get(ready_url, timeout=2)
            except requests.RequestException:
                return False
            return True

        assert wait_until(answers, timeout=30), "the waiting process did not start"
        yield port
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def test_the_production_command_serves_refreshes(poll_url, production_server):
    response = requests.get(f"http://127.0.0.1:{production_server}{poll_url}", timeout=5)
    assert response.status_code == 200
    assert "L'inscription ouvre dans 10 minutes." in response.text
    assert response.headers["Cache-Control"] == "no-store, private"


def test_requests_one_after_another_on_one_connection_all_answer(poll_url, production_server):
    # A proxy keeps its connections to this process open: the next family's request may
    # come in while the last page is still being sent. Sent here all at once, pages (Django,
    # through its thread) and refreshes (the event loop) mixed.
    page = reverse("registrations:waiting_room")
    paths = [page, page, poll_url, page]
    connection = socket.create_connection(("127.0.0.1", production_server), timeout=10)
    with connection:
        connection.sendall(
            b"".join(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode() for path in paths)
        )
        received = b""
        while received.count(b"HTTP/1.1 ") < len(paths) and (chunk := connection.recv(65536)):
            received += chunk
    statuses = re.findall(rb"^HTTP/1.1 (\d{3})", received, re.MULTILINE)
    assert statuses == [b"302", b"302", b"200", b"302"]  # signed out: the page sends to login
