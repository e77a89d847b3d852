"""The waiting room's own process (« Production layout »): the waiting page's refreshes,
thousands at once, answered on an event loop with one asynchronous Redis call each and no
Django request, middleware or URL resolution; every other request (the waiting page itself)
goes to Django's WSGI application, in one thread, as in the web processes.

    gunicorn -c gunicorn.conf.py --max-requests 0 -k uvicorn_worker.UvicornWorker \\
        registrations.waiting_asgi:application

Under gunicorn's threads a refresh cost 1.2-2.6 ms of CPU at 200 to 20 a second, most of
it the server's and Django's handler's; here 0.7-1.75 ms, then 1.0-1.4 ms on a slower
machine once its sentences were kept per language and figures
(``scripts/bench_waiting_refresh.py``).
What a refresh answers is ``waiting_room.Refresh``'s, shared with Django's view.
"""

import asyncio
import contextvars
import logging
import os
import time
from functools import cache
from urllib.parse import parse_qsl

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from asgiref.wsgi import WsgiToAsgi
from django.core.wsgi import get_wsgi_application

# Sets Django up before the imports below use the settings and the apps.
pages = WsgiToAsgi(get_wsgi_application())

import redis  # noqa: E402
from django.core.handlers.asgi import get_script_prefix  # noqa: E402
from django.http import HttpRequest  # noqa: E402
from django.http.cookie import parse_cookie  # noqa: E402
from django.urls import set_script_prefix  # noqa: E402
from django.utils import translation  # noqa: E402

from portal import waiting_room as queue_module  # noqa: E402
from portal.middleware import BARE_HEADERS, path_info_of  # noqa: E402

from .waiting_room import UNREACHABLE, Refresh, RefreshAnswer  # noqa: E402

logger = logging.getLogger(__name__)


@cache
def refresh_path_info() -> str:
    return path_info_of("registrations:waiting_room_status")


def language_of(headers: dict[bytes, bytes]) -> str:
    """The language cookie, else the browser's, as ``LocaleMiddleware`` would decide."""
    request = HttpRequest()
    request.COOKIES = parse_cookie(headers.get(b"cookie", b"").decode("latin-1"))
    request.META["HTTP_ACCEPT_LANGUAGE"] = headers.get(b"accept-language", b"").decode("latin-1")
    return translation.get_language_from_request(request)


async def refresh(scope: dict, send) -> None:
    set_script_prefix(get_script_prefix(scope))  # the URLs the fragment carries
    query = scope["query_string"].decode("latin-1")
    asked = Refresh.of(dict(parse_qsl(query, keep_blank_values=True)))
    look = queue_module.get_async_look()
    with translation.override(language_of(dict(scope["headers"]))):
        if asked.whose is None or look is None:
            answer = asked.leave()
        else:
            try:
                place = await look.look(*asked.whose, now=time.time())
            except redis.RedisError:
                logger.exception("Waiting room unreachable from the waiting page")
                answer = UNREACHABLE
            else:
                answer = asked.answer(place)
    await send_answer(send, answer, with_body=scope["method"] == "GET")


async def send_answer(send, answer: RefreshAnswer, *, with_body: bool) -> None:
    body = answer.body.encode()
    headers = {**BARE_HEADERS, **answer.headers}
    if answer.status != 204:
        headers["Content-Length"] = str(len(body))
    await send(
        {
            "type": "http.response.start",
            "status": answer.status,
            "headers": [(name.lower().encode(), value.encode()) for name, value in headers.items()],
        }
    )
    await send({"type": "http.response.body", "body": body if with_body else b""})


async def lifespan(receive, send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def application(scope: dict, receive, send) -> None:
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
        return
    if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
        path_info = scope["path"].removeprefix(scope.get("root_path", "")) or "/"
        if path_info == refresh_path_info():
            await refresh(scope, send)
            return
    await to_django(scope, receive, send)


async def to_django(scope: dict, receive, send) -> None:
    """Django's WSGI application through asgiref, in a context of its own. asgiref sends the
    page from Django's thread through a task whose context names that thread's executor;
    uvicorn starts the connection's next request (HTTP keep-alive) from that task when it
    came in meanwhile, and a page in it would be handed to the executor, gone by then: a
    500 for the next family on the same connection from the proxy."""
    await asyncio.get_running_loop().create_task(
        pages(scope, receive, send), context=contextvars.Context()
    )
