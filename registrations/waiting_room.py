"""The opening-night gate: which waiting room a family is in, and the decorator that sends it
there from « S'inscrire », « Panier » and checkout until it holds a pass.

The queue itself (lottery, admission, passes) is ``portal.waiting_room``, in Redis. The
configuration (when, how many, how long) is the season's, in PostgreSQL.

Which room: each season has two openings (residents at ``opens_at``, non-residents at
``opens_at_nonresident``); a family is in the room of its own opening, from
``waiting_room_minutes_before`` before it to ``waiting_room_minutes_after`` after it. When the
windows of several seasons open for browsing overlap, the one whose opening comes first wins:
a family waits in one room at a time, and the pass it gets there opens the pages for every
season (they are the same pages).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache, wraps
from urllib.parse import urlencode

import redis
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language

from accounts.models import Family
from activities.models import Season
from activities.selectors import open_seasons, registration_open_at
from portal import waiting_room as queue_module
from portal.compiled import CompiledQuery
from portal.middleware import safe_back_url
from portal.waiting_room import Place, Room, RoomStats, State

from .models import Order
from .selectors import cart_badge_count

logger = logging.getLogger(__name__)
_said_off = False


@dataclass(frozen=True)
class Opening:
    """One season's opening for residents or for non-residents, with its waiting room."""

    season_id: int
    season_name: str
    is_resident: bool
    opens_at: datetime
    starts_at: datetime  # the waiting room opens
    ends_at: datetime  # ...and closes: after it, no queue
    capacity: int
    idle_minutes: int

    @property
    def room(self) -> Room:
        who = "resident" if self.is_resident else "nonresident"
        return Room(
            # The opening's time is in the key: moving the opening starts a fresh room.
            key=f"season-{self.season_id}-{who}-{int(self.opens_at.timestamp())}",
            opens_at=self.opens_at.timestamp(),
            closes_at=self.ends_at.timestamp(),
            capacity=self.capacity,
            idle_seconds=self.idle_minutes * 60,
        )

    def is_open(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at


def season_opening(season: Season, *, is_resident: bool) -> Opening:
    opens_at = registration_open_at(season=season, is_resident=is_resident)
    return Opening(
        season_id=season.pk,
        season_name=season.name,
        is_resident=is_resident,
        opens_at=opens_at,
        starts_at=opens_at - timedelta(minutes=season.waiting_room_minutes_before),
        ends_at=opens_at + timedelta(minutes=season.waiting_room_minutes_after),
        capacity=season.max_active_families,
        idle_minutes=season.active_idle_minutes,
    )


# Every gated request reads it: compiled once per process (``portal.compiled``).
_SEASONS_WITH_A_ROOM = CompiledQuery(
    lambda *, now: (
        open_seasons(now=now)
        .filter(waiting_room_minutes_before__gt=0)
        .only(
            "name",
            "opens_at",
            "opens_at_nonresident",
            "waiting_room_minutes_before",
            "waiting_room_minutes_after",
            "max_active_families",
            "active_idle_minutes",
        )
    )
)


def current_opening(*, family: Family, now: datetime) -> Opening | None:
    """The room the family is in now, or None (no queue): one small query on the seasons."""
    for season in _SEASONS_WITH_A_ROOM.all(now=now):
        opening = season_opening(season, is_resident=family.is_resident)
        if opening.is_open(now):
            return opening
    return None


def _say_off_once(opening: Opening) -> None:
    global _said_off
    if not _said_off:
        _said_off = True
        logger.warning(
            "Waiting room off: REDIS_URL is not set, so every family goes straight in "
            "during the window of %s (opening %s).",
            opening.season_name,
            opening.opens_at.isoformat(),
        )


def check_in(
    *, family: Family, user_id: int, now: datetime | None = None
) -> tuple[Opening | None, Place | None]:
    """Join the family's room (if a window is open), admit whoever fits, and say where the
    family stands. No opening, no Redis or Redis failing: (opening or None, None), and the
    family goes in: the database's locks still keep every place counted right."""
    now = now or timezone.now()
    opening = current_opening(family=family, now=now)
    if opening is None:
        return None, None
    queue = queue_module.get_queue()
    if queue is None:
        _say_off_once(opening)
        return opening, None
    try:
        return opening, queue.check_in(opening.room, str(user_id), now=now.timestamp())
    except redis.RedisError:
        logger.exception("Waiting room unreachable: letting the family in")
        return opening, None


def release_if_done(*, family: Family, user_id: int, order) -> None:
    """The family is done when this order is paid and nothing is left in its cart."""
    # The cached count: every service that adds to a cart forgets it, so it is never lower
    # than the truth; after this payment it was forgotten, and is counted here again.
    if order.status == Order.Status.PAID and not cart_badge_count(family=family):
        release(family=family, user_id=user_id)


_PAID_SINCE = CompiledQuery(
    lambda *, family_id, since: Order.objects.filter(
        family=family_id, status=Order.Status.PAID, paid_at__gte=since
    ).values_list("pk", flat=True)[:1]
)


def release_if_finished(*, family: Family, user_id: int, now: datetime | None = None) -> None:
    """After its last cart lines went to the waiting list: a family that paid an order since
    its opening and has nothing left in its cart is done too."""
    now = now or timezone.now()
    if cart_badge_count(family=family):
        return
    opening = current_opening(family=family, now=now)
    if opening is None:
        return
    if _PAID_SINCE.all(family_id=family.pk, since=opening.opens_at):
        release(family=family, user_id=user_id, now=now, opening=opening)


def release(
    *, family: Family, user_id: int, now: datetime | None = None, opening: Opening | None = None
) -> None:
    """A family that paid and has nothing left in its cart gives its pass back: the next
    family is admitted at its next refresh. Coming back later means queueing again."""
    opening = opening or current_opening(family=family, now=now or timezone.now())
    queue = queue_module.get_queue()
    if opening is None or queue is None:
        return
    try:
        queue.leave(opening.room.key, str(user_id))
    except redis.RedisError:
        logger.exception("Waiting room unreachable: the pass will lapse on its own")


def waiting_url(*, next_url: str) -> str:
    return f"{path_of('registrations:waiting_room')}?{urlencode({'next': next_url})}"


@lru_cache(maxsize=32)
def _reversed(name: str, script_prefix: str, urlconf: str) -> str:
    return reverse(name)


def path_of(name: str) -> str:
    """``reverse(name)`` once per process and site prefix: the refresh needs three paths on
    each of its thousands of calls."""
    return _reversed(name, get_script_prefix(), settings.ROOT_URLCONF)


def safe_next(url: str | None) -> str:
    """A local URL to go to once admitted (never another site), else « S'inscrire »."""
    if (
        url
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
        and not url.startswith(path_of("registrations:waiting_room"))
    ):
        return url
    return path_of("registrations:register")


# The refresh knows whose place to show from a signed ticket in its URL, not from the
# session: no session load, one Redis call. A ticket only ever shows a place in line; the
# pages behind the gate still check the session's own pass.
_TICKETS = signing.TimestampSigner(salt="registrations.waiting_room.ticket")
TICKET_MAX_AGE = timedelta(hours=12)


def place_ticket(*, room_key: str, user_id: int) -> str:
    return _TICKETS.sign(f"{room_key}|{user_id}")


def read_ticket(ticket: str) -> tuple[str, str] | None:
    """(room key, user id) of a ticket this site signed in the last 12 hours, else None."""
    try:
        room_key, _bar, user_id = _TICKETS.unsign(ticket, max_age=TICKET_MAX_AGE).partition("|")
    except signing.BadSignature:
        return None
    if not user_id.isdigit() or not queue_module.ROOM_KEY.match(room_key):
        return None
    return room_key, user_id


def status_context(
    place: Place, *, room_key: str, user_id: int | str, next_url: str, ticket: str = ""
) -> dict:
    """What the waiting page's refreshing fragment shows: plain numbers, no model. A refresh
    passes on the ``ticket`` it came with (valid 12 hours, far longer than a window); the
    page signs a new one."""
    wait = place.estimated_wait_seconds
    ticket = ticket or place_ticket(room_key=room_key, user_id=int(user_id))
    before_opening = place.seconds_to_opening > 0
    return {
        "poll_url": f"{path_of('registrations:waiting_room_status')}?"
        + urlencode({"ticket": ticket, "next": next_url}),
        # Not localized (« 2,5 » is no htmx delay).
        "refresh_seconds": f"{place.refresh_seconds:.1f}",
        "before_opening": before_opening,
        "minutes_to_opening": math.ceil(place.seconds_to_opening / 60),
        # Before the draw a place says nothing yet, and is not shown.
        "position": None if before_opening else place.position,
        "waiting": place.waiting,
        "wait_minutes": None if wait is None else math.ceil(wait / 60),
    }


# Each family's refresh has its own URL and delay; the sentences around them depend only on
# the figures, the same for every family before the opening.
_OWN_TO_EACH = {"poll_url": "\x00poll_url\x00", "refresh_seconds": "\x00refresh_seconds\x00"}


@lru_cache(maxsize=4096)
def _status_around(language: str, figures: tuple) -> str:
    status = {**dict(figures), **_OWN_TO_EACH}
    return render_to_string("registrations/_waiting_status.html", {"status": status})


def render_status(status: dict) -> str:
    """The waiting page's refreshing fragment, as its template renders it: the template runs
    once per language and figures, and each refresh fills in its URL and delay (rendering
    was a third of a refresh's own CPU)."""
    figures = tuple((key, value) for key, value in status.items() if key not in _OWN_TO_EACH)
    fragment = _status_around(get_language(), figures)
    for key, hole in _OWN_TO_EACH.items():
        fragment = fragment.replace(hole, escape(status[key]))
    return fragment


@dataclass(frozen=True)
class RefreshAnswer:
    """A refresh's answer, sent by Django's view or by the waiting process's event loop."""

    status: int
    headers: dict[str, str]
    body: str = ""


#: Redis did not answer: htmx keeps the page and asks again at its next refresh.
UNREACHABLE = RefreshAnswer(204, {})


@dataclass(frozen=True)
class Refresh:
    """One refresh of the waiting page, its query read once: whose place it is comes from
    the URL's signed ticket, not from a session. Both servers of the refresh ask Redis for
    the place in between (``registrations.views.waiting_room_status`` and
    ``registrations.waiting_asgi``)."""

    ticket: str
    next_url: str
    whose: tuple[str, str] | None  # (room key, user id); None: no valid ticket

    @classmethod
    def of(cls, params: Mapping[str, str]) -> Refresh:
        ticket = params.get("ticket", "")
        return cls(ticket=ticket, next_url=safe_next(params.get("next")), whose=read_ticket(ticket))

    def leave(self) -> RefreshAnswer:
        """No place to show: htmx goes to the page asked for."""
        return RefreshAnswer(200, {"HX-Redirect": self.next_url})

    def answer(self, place: Place) -> RefreshAnswer:
        """The place in line; admitted, or the window over: the page asked for answers now."""
        if self.whose is None or place.state != State.WAITING or place.is_over:
            return self.leave()
        room_key, user_id = self.whose
        status = status_context(
            place, room_key=room_key, user_id=user_id, next_url=self.next_url, ticket=self.ticket
        )
        body = render_status(status)
        return RefreshAnswer(200, {"Content-Type": "text/html; charset=utf-8"}, body)


def _next_url(request: HttpRequest) -> str:
    """Where to go once admitted: the page asked for, or for a form sent (add to cart,
    checkout, pay) the page it was sent from, else the cart."""
    if request.method == "GET" and not request.htmx:
        return request.get_full_path()
    return safe_back_url(request, default=path_of("registrations:cart"))


def waiting_room_gate(view: Callable) -> Callable:
    """Behind ``approved_family_required``: during an opening's window, only a family holding
    a pass gets through; the others are sent to « Salle d'attente », whatever the URL or the
    kind of request (htmx included)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        _opening, place = check_in(family=request.family, user_id=request.user.pk)
        if place is None or place.state == State.ACTIVE:
            return view(request, *args, **kwargs)
        target = waiting_url(next_url=_next_url(request))
        if request.htmx:
            # htmx would swap the waiting page into a fragment: send the browser there.
            return HttpResponse(status=200, headers={"HX-Redirect": target})
        return HttpResponseRedirect(target)

    return wrapper


# --- Staff: what each opening's room looks like, pause and resume --------------------------


@dataclass(frozen=True)
class OpeningRoom:
    opening: Opening
    stats: RoomStats | None  # None without Redis (no waiting room) or Redis failing


def season_rooms(season: Season, *, now: datetime | None = None) -> list[OpeningRoom]:
    """The season's two rooms (residents, non-residents) as staff see them."""
    now = now or timezone.now()
    queue = queue_module.get_queue()
    rooms = []
    for is_resident in (True, False):
        opening = season_opening(season, is_resident=is_resident)
        stats = None
        if queue is not None:
            try:
                stats = queue.stats(opening.room.key, now=now.timestamp())
            except redis.RedisError:
                logger.exception("Waiting room unreachable from the staff page")
        rooms.append(OpeningRoom(opening=opening, stats=stats))
    return rooms


def set_paused(season: Season, *, is_resident: bool, paused: bool) -> bool:
    """Pause or resume admission to one opening's room; False without Redis. A pause lapses
    with the room's keys, so a forgotten one never blocks a later opening."""
    queue = queue_module.get_queue()
    if queue is None:
        return False
    room = season_opening(season, is_resident=is_resident).room
    if paused:
        queue.pause(room.key, until=room.closes_at + queue_module.KEEP_AFTER_CLOSE_SECONDS)
    else:
        queue.resume(room.key)
    return True
