"""A fair waiting room kept in Redis: a lottery among early arrivals, then arrival order, and
at most N families active at once.

This module knows no domain model: a room is a key, an opening time, a capacity and an idle
timeout. All of a room's state lives in Redis, and admission runs in one Lua script, so any
number of web processes on any number of machines share one queue, and a restart loses
nothing. The season-aware gate that decides which room a family is in lives in
``registrations/waiting_room.py``.

Per room, under ``<prefix>:{<room key>}:`` (the braces keep a room's keys in one Redis
Cluster slot, as the script needs):

- ``queue``: sorted set of waiting members by score. An arrival before the opening scores
  a random number in [0, 1) (the lottery: 18 h 31 and 18 h 59 have the same chance); a
  later arrival scores ``1 + seconds since the opening`` (arrival order, after the draw).
- ``active``: sorted set of members holding a pass, scored by the time of their last
  request; a pass idle longer than the room's idle timeout is dropped.
- ``admitted``: sorted set of members by admission time (admission rate, staff counts).
- ``config``: hash of the room's capacity, idle timeout and opening (written by each
  check-in from the database's configuration, read by the polling page that has none).
- ``paused``: present while staff pause admission.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import re
from dataclasses import dataclass
from enum import StrEnum

import redis
import redis.asyncio
from django.conf import settings

logger = logging.getLogger(__name__)

#: Admissions counted for the rate shown to families and staff.
RATE_WINDOW_SECONDS = 300
# The waiting page asks again after 0.5 s just before its turn, up to 30 s far back; 5 s
# while no admission rate is known. A pass freed goes to the head of the line at the next
# refresh of anyone in the room, but the family at the head sees it only at its own next
# one: a pass stays unused for about the head's refresh interval.
MIN_REFRESH_SECONDS, REFRESH_SECONDS, MAX_REFRESH_SECONDS = 0.5, 5, 30
#: After the opening, the page asks again this many times before the family's estimated turn.
REFRESHES_BEFORE_TURN = 2
#: Before the opening, the draw's families are told to ask from the opening on, N of them
#: every this many seconds. Short: a family asking before its turn costs a refresh (2 ms),
#: one asking after it leaves a pass unused (at 2 s, N = 15 families a room capped
#: admission at 7.5 a second while each family needed 0.2 s to pay).
OPENING_WAVE_SECONDS = 0.5
#: Before the opening, the page asks again this long after it (a timer that fires a moment
#: early would see « not yet » and wait a whole refresh more).
AFTER_OPENING_SECONDS = 0.2
#: Families waiting for the opening come back once between these many seconds before it,
#: each at its own moment, to learn a place in the draw that counts nearly every arrival.
SETTLE_FROM_SECONDS, SETTLE_TO_SECONDS = 5.0, 1.0
#: Room keys stay in Redis this long after the room closes (staff can still read them).
KEEP_AFTER_CLOSE_SECONDS = 2 * 24 * 3600
ROOM_KEY = re.compile(r"^[a-z0-9-]{1,80}$")

# KEYS: queue, active, admitted, config, paused
# ARGV: now, member ('' = none), arrival score ('' = do not enqueue), touch ('1' = refresh the
#       member's pass), capacity ('' = use the stored configuration), idle seconds, opening,
#       keys expire at, window end
_ADMIT = """
local now = tonumber(ARGV[1])
local member = ARGV[2]
if ARGV[5] ~= '' then
  redis.call(
    'HSET', KEYS[4], 'capacity', ARGV[5], 'idle', ARGV[6], 'opening', ARGV[7], 'closes', ARGV[9])
end
local config = redis.call('HMGET', KEYS[4], 'capacity', 'idle', 'opening', 'closes')
if not config[1] then
  return {'unknown', -1, 0, 0, '0', '0', 0}
end
local capacity = tonumber(config[1])
local idle = tonumber(config[2])
local opening = tonumber(config[3])
-- 1. Idle passes are freed.
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - idle)
-- 2. A newcomer joins the queue once (NX keeps the place of one who comes back).
if member ~= '' and ARGV[3] ~= '' and not redis.call('ZSCORE', KEYS[2], member) then
  redis.call('ZADD', KEYS[1], 'NX', ARGV[3], member)
end
-- 3. From the opening, and unless paused, the head of the queue fills the free places.
if now >= opening and redis.call('EXISTS', KEYS[5]) == 0 then
  local free = capacity - redis.call('ZCARD', KEYS[2])
  if free > 0 then
    local heads = redis.call('ZRANGE', KEYS[1], 0, free - 1)
    for _, head in ipairs(heads) do
      redis.call('ZADD', KEYS[2], ARGV[1], head)
      redis.call('ZADD', KEYS[3], 'NX', ARGV[1], head)  -- the first admission counts
      redis.call('ZREM', KEYS[1], head)
    end
  end
end
if ARGV[5] ~= '' then
  for i = 1, 4 do
    redis.call('EXPIREAT', KEYS[i], ARGV[8])
  end
end
local waiting = redis.call('ZCARD', KEYS[1])
local recent = redis.call('ZCOUNT', KEYS[3], now - RATE_WINDOW, '+inf')
local state = 'none'
local rank = -1
if member ~= '' then
  if redis.call('ZSCORE', KEYS[2], member) then
    state = 'active'
    if ARGV[4] == '1' then
      redis.call('ZADD', KEYS[2], 'XX', ARGV[1], member)
    end
  else
    rank = redis.call('ZRANK', KEYS[1], member)
    if rank then
      state = 'waiting'
    else
      state = 'absent'
      rank = -1
    end
  end
end
return {state, rank, waiting, recent, tostring(opening), config[4] or '0', capacity}
""".replace("RATE_WINDOW", str(RATE_WINDOW_SECONDS))


class State(StrEnum):
    ACTIVE = "active"  # holds a pass: the gated pages answer
    WAITING = "waiting"  # in the queue
    ABSENT = "absent"  # neither (never came, or its pass lapsed and it has not come back)
    UNKNOWN = "unknown"  # no such room (nobody checked in yet, or its keys expired)
    NONE = "none"  # asked about no member


@dataclass(frozen=True)
class Room:
    """One opening's waiting room, as the caller configures it."""

    key: str  # lower-case letters, digits and dashes, e.g. "season-3-resident-1751234400"
    opens_at: float  # epoch seconds
    closes_at: float  # epoch seconds: end of the window
    capacity: int  # N: families active at once
    idle_seconds: int  # a pass without a request for this long is freed


@dataclass(frozen=True)
class Place:
    """Where a member stands, and what the page needs to say it."""

    state: State
    position: int | None  # 1 for the head of the queue; None unless waiting
    waiting: int  # families in the queue
    admitted_recently: int  # admissions in the last RATE_WINDOW_SECONDS
    opens_at: float
    closes_at: float  # end of the window: after it, the gate no longer sends anyone here
    now: float
    capacity: int = 0  # N: families active at once (0: unknown)

    @property
    def is_over(self) -> bool:
        return self.now >= self.closes_at

    @property
    def admission_rate(self) -> float:
        """Families admitted per second lately (0 before the opening)."""
        elapsed = min(RATE_WINDOW_SECONDS, self.now - self.opens_at)
        if elapsed <= 0:
            return 0.0
        return self.admitted_recently / max(elapsed, 1.0)

    @property
    def estimated_wait_seconds(self) -> float | None:
        """Position divided by the recent admission rate; None when there is no rate yet."""
        if self.position is None or self.admission_rate <= 0:
            return None
        return self.position / self.admission_rate

    @property
    def seconds_to_opening(self) -> float:
        return max(self.opens_at - self.now, 0.0)

    @property
    def refresh_seconds(self) -> float:
        """When the waiting page asks again: twice before the family's estimated
        turn, so that a family ten minutes away does not ask every few seconds (refreshes
        are most of the room's load) and one about to come in sees its pass at once (a pass
        unused is a place idle).

        Before the opening, by the draw. A family's place changes as others arrive, so each
        comes back once in the last seconds before the opening, at a moment spread by its
        place so far; from there, it asks from just after the opening, N families every half
        second in the draw's order (``OPENING_WAVE_SECONDS``). The first N are admitted at
        the opening, but the whole room asking at once would starve the pages those
        families open next."""
        to_opening = self.seconds_to_opening
        if to_opening > 0:
            position = self.position or 1
            if to_opening > SETTLE_FROM_SECONDS:
                drawn = (position - 1) / max(self.waiting, 1)  # 0 first .. 1 last, so far
                settle = SETTLE_FROM_SECONDS - (SETTLE_FROM_SECONDS - SETTLE_TO_SECONDS) * drawn
                ahead = to_opening - settle
            else:
                behind = (position - 1) / (self.capacity or 1)  # in rooms of N
                ahead = to_opening + AFTER_OPENING_SECONDS + behind * OPENING_WAVE_SECONDS
            return _tenths(ahead)
        wait = self.estimated_wait_seconds
        return _tenths(REFRESH_SECONDS if wait is None else wait / REFRESHES_BEFORE_TURN)


def _tenths(seconds: float) -> float:
    """A refresh interval in tenths of a second (htmx reads decimals), within bounds."""
    tenths = math.ceil(round(seconds * 10, 6))  # 4.2 s is 42 tenths, not 43
    return min(max(tenths / 10, MIN_REFRESH_SECONDS), MAX_REFRESH_SECONDS)


@dataclass(frozen=True)
class RoomStats:
    """What staff see of one room."""

    waiting: int
    active: int
    admitted: int  # admissions since the room opened (a family admitted twice counts once)
    admitted_recently: int
    paused: bool
    rate_per_minute: float


def arrival_score(*, arrived_at: float, opens_at: float, rng: random.Random) -> float:
    """The lottery: before the opening a random place in [0, 1), whatever the minute of
    arrival; after it, arrival order behind every early arrival."""
    if arrived_at < opens_at:
        return rng.random()
    return 1.0 + (arrived_at - opens_at)


def room_keys(prefix: str, room_key: str) -> list[str]:
    """A room's keys under ``prefix``: queue, active, admitted, config, paused."""
    if not ROOM_KEY.match(room_key):
        raise ValueError(f"invalid room key {room_key!r}")
    base = f"{prefix}:{{{room_key}}}"
    return [f"{base}:{name}" for name in ("queue", "active", "admitted", "config", "paused")]


def _script_args(
    *, now: float, member: str, score: float | None, touch: bool, room: Room | None
) -> list:
    config = [room.capacity, room.idle_seconds, repr(room.opens_at)] if room else ["", "", ""]
    return [
        repr(now),
        member,
        "" if score is None else repr(score),
        "1" if touch else "",
        *config,
        int(room.closes_at + KEEP_AFTER_CLOSE_SECONDS) if room else "",
        repr(room.closes_at) if room else "",
    ]


def _place_of(reply: list, *, now: float) -> Place:
    state, rank, waiting, recent, opening, closes, capacity = reply
    state = State(state.decode() if isinstance(state, bytes) else state)
    return Place(
        state=state,
        position=int(rank) + 1 if state == State.WAITING else None,
        waiting=int(waiting),
        admitted_recently=int(recent),
        opens_at=float(opening),
        closes_at=float(closes),
        now=now,
        capacity=int(capacity),
    )


class WaitingRoomQueue:
    """The Redis side of every room. Holds no state of its own besides the client."""

    def __init__(
        self, client: redis.Redis, *, prefix: str, rng: random.Random | None = None
    ) -> None:
        self.client = client
        self.prefix = prefix
        # The lottery's randomness: seeded in tests, the system's in production.
        self.rng = rng or random.SystemRandom()
        self._admit = client.register_script(_ADMIT)

    def keys(self, room_key: str) -> list[str]:
        """queue, active, admitted, config, paused: the order the script expects."""
        return room_keys(self.prefix, room_key)

    def _run(
        self,
        room_key: str,
        *,
        now: float,
        member: str = "",
        score: float | None = None,
        touch: bool = False,
        room: Room | None = None,
    ) -> Place:
        args = _script_args(now=now, member=member, score=score, touch=touch, room=room)
        return _place_of(self._admit(keys=self.keys(room_key), args=args), now=now)

    def check_in(self, room: Room, member: str, *, now: float) -> Place:
        """A gated request: join the queue if new, admit whoever fits, and refresh the
        member's pass if it holds one."""
        score = arrival_score(arrived_at=now, opens_at=room.opens_at, rng=self.rng)
        return self._run(room.key, now=now, member=member, score=score, touch=True, room=room)

    def look(self, room_key: str, member: str, *, now: float) -> Place:
        """The waiting page's poll: admit whoever fits, then say where the member stands.
        Never enqueues (only the gate, behind the approval check, does) and never keeps a
        pass alive (only real use of the gated pages does)."""
        return self._run(room_key, now=now, member=member)

    def stats(self, room_key: str, *, now: float) -> RoomStats:
        place = self._run(room_key, now=now)
        _queue, active, admitted, _config, paused = self.keys(room_key)
        pipe = self.client.pipeline(transaction=False)
        pipe.zcard(active).zcard(admitted).exists(paused)
        active_count, admitted_count, is_paused = pipe.execute()
        return RoomStats(
            waiting=place.waiting,
            active=int(active_count),
            admitted=int(admitted_count),
            admitted_recently=place.admitted_recently,
            paused=bool(is_paused),
            rate_per_minute=round(place.admission_rate * 60, 1)
            if place.state != State.UNKNOWN
            else 0.0,
        )

    def leave(self, room_key: str, member: str) -> None:
        """The member is done (it paid): its pass goes to the next in line at once, rather
        than after the idle timeout."""
        self.client.zrem(self.keys(room_key)[1], member)

    def pause(self, room_key: str, *, until: float) -> None:
        """Stop admitting (passes already given stay valid) until resumed or ``until``."""
        self.client.set(self.keys(room_key)[4], "1", exat=int(until))

    def resume(self, room_key: str) -> None:
        self.client.delete(self.keys(room_key)[4])

    def is_paused(self, room_key: str) -> bool:
        return bool(self.client.exists(self.keys(room_key)[4]))


_queue: WaitingRoomQueue | None = None


def get_queue() -> WaitingRoomQueue | None:
    """The process's queue on ``settings.REDIS_URL``, or None when there is no Redis (the
    embedded default): then there is no waiting room."""
    global _queue
    if not settings.REDIS_URL:
        return None
    if _queue is None or _queue.prefix != settings.WAITING_ROOM_KEY_PREFIX:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
        _queue = WaitingRoomQueue(client, prefix=settings.WAITING_ROOM_KEY_PREFIX)
    return _queue


class AsyncLook:
    """The waiting page's refresh from an event loop (``registrations.waiting_asgi``): the
    same script and keys as ``WaitingRoomQueue.look``, on ``redis.asyncio``."""

    def __init__(self, client: redis.asyncio.Redis, *, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self._admit = client.register_script(_ADMIT)

    async def look(self, room_key: str, member: str, *, now: float) -> Place:
        args = _script_args(now=now, member=member, score=None, touch=False, room=None)
        reply = await self._admit(keys=room_keys(self.prefix, room_key), args=args)
        return _place_of(reply, now=now)


_async_look: tuple[asyncio.AbstractEventLoop, AsyncLook] | None = None


def get_async_look() -> AsyncLook | None:
    """The running event loop's ``AsyncLook`` (a client belongs to one loop), or None
    without Redis."""
    global _async_look
    if not settings.REDIS_URL:
        return None
    loop = asyncio.get_running_loop()
    prefix = settings.WAITING_ROOM_KEY_PREFIX
    if _async_look is None or _async_look[0] is not loop or _async_look[1].prefix != prefix:
        client = redis.asyncio.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
        _async_look = (loop, AsyncLook(client, prefix=prefix))
    return _async_look[1]


def reset() -> None:
    """Forget the process's clients (tests: what a restarted process would see)."""
    global _queue, _async_look
    _queue = None
    _async_look = None
