"""The waiting room's queue in Redis: a lottery among early arrivals, arrival order after
the opening, at most N active, idle passes freed, pause, and nothing kept in a process."""

import random
import threading

import pytest
import redis

from portal import waiting_room
from portal.waiting_room import Room, State, WaitingRoomQueue

OPENS = 1_800_000_000.0  # an opening, in epoch seconds


def make_room(key: str = "season-1-resident-1", **overrides) -> Room:
    values = {
        "key": key,
        "opens_at": OPENS,
        "closes_at": OPENS + 7200,
        "capacity": 3,
        "idle_seconds": 600,
    }
    return Room(**{**values, **overrides})


@pytest.fixture
def queue(redis_required) -> WaitingRoomQueue:
    """The process's queue, with a seeded lottery: the same draw on every run."""
    queue = waiting_room.get_queue()
    queue.rng = random.Random(20270628)
    return queue


def active_members(queue: WaitingRoomQueue, room: Room) -> set[str]:
    return {m.decode() for m in queue.client.zrange(queue.keys(room.key)[1], 0, -1)}


def spearman(xs: list[float], ys: list[float]) -> float:
    """Spearman's rank correlation, by hand (no ties here)."""
    n = len(xs)
    rank_x = {v: i for i, v in enumerate(sorted(xs))}
    rank_y = {v: i for i, v in enumerate(sorted(ys))}
    d2 = sum((rank_x[x] - rank_y[y]) ** 2 for x, y in zip(xs, ys, strict=True))
    return 1 - 6 * d2 / (n * (n * n - 1))


def admission_order(queue: WaitingRoomQueue, room: Room, arrivals: list[float]) -> list[str]:
    """Families arrive at the given times; from the opening, one place frees at a time.
    The order is read from the room's record of admissions (one per instant here)."""
    for member, arrived in enumerate(arrivals):
        queue.check_in(room, str(member), now=arrived)
    admitted = queue.keys(room.key)[2]
    now = max(OPENS, *arrivals)
    for _ in arrivals:  # bounded: each step admits one family
        if queue.client.zcard(admitted) == len(arrivals):
            break
        now += room.idle_seconds + 1
        queue.look(room.key, "", now=now)  # frees the idle pass, admits the next
    return [member.decode() for member in queue.client.zrange(admitted, 0, -1)]


def test_early_arrivals_get_a_random_place_whatever_their_minute_of_arrival(queue):
    """Over 150 simulated openings of 20 families arriving one by one before the opening,
    admission rank is not correlated with arrival order beyond chance."""
    families, openings = 20, 150
    correlations, first_arrival_ranks = [], []
    for opening in range(openings):
        room = make_room(key=f"lottery-{opening}", capacity=1, idle_seconds=1)
        arrivals = [OPENS - 1800 + 60 * i for i in range(families)]  # 18 h 30, 18 h 31...
        order = admission_order(queue, room, arrivals)
        rank = {member: position for position, member in enumerate(order)}
        correlations.append(
            spearman(list(range(families)), [rank[str(m)] for m in range(families)])
        )
        first_arrival_ranks.append(rank["0"])
        for key in queue.keys(room.key):
            queue.client.delete(key)
    mean = sum(correlations) / openings
    # Under a fair lottery each rho has mean 0 and variance 1/(n-1): the mean of 150 has a
    # standard deviation of 0.0162. Four of them: a fair draw fails this once in 15,000 runs.
    assert abs(mean) < 4 * (1 / (families - 1)) ** 0.5 / openings**0.5
    # The very first family is not first in line more often than chance lets (1 in 20).
    assert first_arrival_ranks.count(0) < openings / families + 4 * (openings / families) ** 0.5
    # ...and it is not simply put last either: its ranks spread over the whole line.
    assert len(set(first_arrival_ranks)) > families // 2


def test_the_lottery_is_not_arrival_order_but_arrival_order_would_be_seen(queue):
    """Control: the same measure sees a perfect correlation for families arriving after the
    opening, so the fairness test above can see unfairness at all."""
    room = make_room(key="control", capacity=1, idle_seconds=1)
    arrivals = [OPENS + 1 + i for i in range(20)]
    order = admission_order(queue, room, arrivals)
    rank = {member: position for position, member in enumerate(order)}
    assert spearman(list(range(20)), [rank[str(m)] for m in range(20)]) == 1.0


def test_later_arrivals_queue_after_the_draw_in_arrival_order(queue):
    room = make_room(capacity=0)  # nobody admitted: only the line is looked at
    for member in ("early-b", "early-a"):
        queue.check_in(room, member, now=OPENS - 60)
    for offset, member in enumerate(("late-1", "late-2", "late-3")):
        queue.check_in(room, member, now=OPENS + 5 + offset * 30)
    positions = {
        member: queue.look(room.key, member, now=OPENS + 100).position
        for member in ("early-a", "early-b", "late-1", "late-2", "late-3")
    }
    assert {positions["early-a"], positions["early-b"]} == {1, 2}
    assert [positions["late-1"], positions["late-2"], positions["late-3"]] == [3, 4, 5]


def test_coming_back_keeps_ones_place(queue):
    room = make_room(capacity=0)
    queue.check_in(room, "a", now=OPENS + 1)
    queue.check_in(room, "b", now=OPENS + 2)
    assert queue.check_in(room, "a", now=OPENS + 50).position == 1


def test_nobody_is_admitted_before_the_opening(queue):
    room = make_room(capacity=3)
    place = queue.check_in(room, "a", now=OPENS - 1)
    assert place.state == State.WAITING
    assert place.seconds_to_opening == 1
    assert queue.look(room.key, "a", now=OPENS).state == State.ACTIVE


def test_at_most_n_families_are_active(queue):
    room = make_room(capacity=3)
    for member in range(10):
        queue.check_in(room, str(member), now=OPENS - 100 + member)
    places = [queue.look(room.key, str(member), now=OPENS + 1) for member in range(10)]
    assert sum(place.state == State.ACTIVE for place in places) == 3
    assert sorted(p.position for p in places if p.state == State.WAITING) == list(range(1, 8))
    assert len(active_members(queue, room)) == 3


def test_admission_is_atomic_across_processes(queue, settings):
    """Eight web processes (each its own Redis connection) let 200 families in at the
    opening: exactly N get a pass."""
    room = make_room(capacity=25)
    errors: list[BaseException] = []

    def web_process(worker: int) -> None:
        client = redis.Redis.from_url(settings.REDIS_URL)
        other = WaitingRoomQueue(client, prefix=queue.prefix, rng=random.Random(worker))
        try:
            for member in range(worker, 200, 8):
                other.check_in(room, str(member), now=OPENS + 1 + member / 1000)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            client.close()

    threads = [threading.Thread(target=web_process, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert len(active_members(queue, room)) == 25
    assert queue.stats(room.key, now=OPENS + 2).waiting == 175


def test_an_active_family_keeps_its_pass_and_an_idle_one_is_freed(queue):
    room = make_room(capacity=1, idle_seconds=600)
    queue.check_in(room, "a", now=OPENS)
    assert queue.check_in(room, "b", now=OPENS + 1).state == State.WAITING
    # "a" keeps using the pages: each request refreshes its pass.
    for minute in (5, 10, 15):
        assert queue.check_in(room, "a", now=OPENS + minute * 60).state == State.ACTIVE
    assert queue.look(room.key, "b", now=OPENS + 15 * 60 + 599).state == State.WAITING
    # Then ten minutes without a request: its pass goes to "b".
    assert queue.look(room.key, "b", now=OPENS + 25 * 60).state == State.ACTIVE
    assert queue.look(room.key, "a", now=OPENS + 25 * 60).state == State.ABSENT
    # Coming back later, "a" lines up again behind whoever is waiting.
    queue.check_in(room, "c", now=OPENS + 25 * 60 + 1)
    assert queue.check_in(room, "a", now=OPENS + 25 * 60 + 2).position == 2


def test_polling_the_waiting_page_does_not_keep_a_pass_alive(queue):
    room = make_room(capacity=1, idle_seconds=60)
    queue.check_in(room, "a", now=OPENS)
    queue.check_in(room, "b", now=OPENS + 1)
    for second in range(5, 60, 5):
        queue.look(room.key, "a", now=OPENS + second)
    assert queue.look(room.key, "b", now=OPENS + 61).state == State.ACTIVE


def test_pause_stops_admission_and_resume_restarts_it(queue):
    room = make_room(capacity=2)
    queue.check_in(room, "a", now=OPENS - 10)
    queue.pause(room.key, until=OPENS + 7200)
    assert queue.look(room.key, "a", now=OPENS + 1).state == State.WAITING
    assert queue.stats(room.key, now=OPENS + 1).paused
    queue.resume(room.key)
    assert queue.look(room.key, "a", now=OPENS + 2).state == State.ACTIVE
    stats = queue.stats(room.key, now=OPENS + 2)
    assert (stats.paused, stats.active, stats.admitted, stats.waiting) == (False, 1, 1, 0)


def test_pause_keeps_the_passes_already_given(queue):
    room = make_room(capacity=2)
    queue.check_in(room, "a", now=OPENS + 1)
    queue.pause(room.key, until=OPENS + 7200)
    assert queue.check_in(room, "a", now=OPENS + 2).state == State.ACTIVE
    assert queue.check_in(room, "b", now=OPENS + 3).state == State.WAITING


def test_a_restarted_process_sees_the_same_queue(queue):
    room = make_room(capacity=1)
    queue.check_in(room, "a", now=OPENS + 1)
    queue.check_in(room, "b", now=OPENS + 2)
    queue.check_in(room, "c", now=OPENS + 3)
    queue.pause(room.key, until=OPENS + 7200)

    waiting_room.reset()  # what a restart leaves: no client, no script loaded, no memory
    restarted = waiting_room.get_queue()
    assert restarted is not queue and restarted.client is not queue.client

    assert restarted.look(room.key, "a", now=OPENS + 4).state == State.ACTIVE
    assert restarted.look(room.key, "c", now=OPENS + 4).position == 2
    assert restarted.is_paused(room.key)
    # The room's configuration came from the first process: the poll needs none.
    assert restarted.stats(room.key, now=OPENS + 4).waiting == 2


def test_the_estimated_wait_is_the_position_over_the_recent_admission_rate(queue):
    room = make_room(capacity=10, idle_seconds=600)
    for member in range(30):
        queue.check_in(room, str(member), now=OPENS + 1 + member / 100)
    # 10 admitted in the first 100 s after the opening: 0.1 family per second.
    place = queue.look(room.key, "29", now=OPENS + 100)
    assert place.position == 20
    assert place.admission_rate == pytest.approx(0.1)
    assert place.estimated_wait_seconds == pytest.approx(200)


def test_the_page_refreshes_often_near_the_front_and_rarely_far_back(queue):
    room = make_room(capacity=10, idle_seconds=600)
    for member in range(200):
        queue.check_in(room, str(member), now=OPENS + 1 + member / 100)
    # 0.1 family per second: 10 s from its turn, 20 s, 50 s, 200 s, 1,000 s; and no rate yet.
    # The page asks twice before the estimated turn.
    assert queue.look(room.key, "10", now=OPENS + 100).refresh_seconds == 5
    assert queue.look(room.key, "11", now=OPENS + 100).refresh_seconds == 10
    assert queue.look(room.key, "109", now=OPENS + 100).refresh_seconds == 30
    assert queue.look(room.key, "29", now=OPENS + 100).refresh_seconds == 30  # 200 s / 2 > 30
    assert queue.look(room.key, "14", now=OPENS + 100).refresh_seconds == 25  # 50 s / 2
    paused = make_room(key="season-1-resident-2", capacity=0)  # nobody admitted: no rate
    queue.check_in(paused, "far", now=OPENS + 1)
    assert queue.look(paused.key, "far", now=OPENS + 100).estimated_wait_seconds is None
    assert queue.look(paused.key, "far", now=OPENS + 100).refresh_seconds == 5


def test_a_family_whose_turn_is_a_moment_away_asks_every_half_second(queue):
    """A freed pass goes to the head of the line at anyone's next refresh, but that family
    sees it at its own next one: the head asks twice a second, not every 2 s."""
    room = make_room(capacity=10, idle_seconds=600)
    for member in range(60):
        queue.check_in(room, str(member), now=OPENS - 10 + member / 10)
    at_opening = {m: queue.look(room.key, str(m), now=OPENS + 0.2) for m in range(60)}
    for member, place in at_opening.items():  # the first ten pay and give their passes back
        if place.state == State.ACTIVE:
            queue.leave(room.key, str(member))
    # Ten more admitted: 20 in the first 2 s, 10 families a second.
    places = [queue.look(room.key, str(m), now=OPENS + 2) for m in range(60)]
    waiting = sorted((p for p in places if p.state == State.WAITING), key=lambda p: p.position)
    assert [p.position for p in waiting] == list(range(1, 41))
    assert waiting[0].refresh_seconds == 0.5
    assert waiting[9].refresh_seconds == 0.5  # its turn 1 s away
    assert waiting[19].refresh_seconds == 1.0  # 2 s away
    assert waiting[-1].refresh_seconds == 2.0  # the 40th: 4 s away


def test_before_the_opening_the_page_asks_again_before_and_just_after_it(queue):
    room = make_room()
    queue.check_in(room, "early", now=OPENS - 3600)
    assert queue.look(room.key, "early", now=OPENS - 3600).refresh_seconds == 30
    # First of the draw so far: back 5 s before the opening for its place among the others.
    assert queue.look(room.key, "early", now=OPENS - 12.5).refresh_seconds == 7.5
    # Then never a moment before the opening: « not yet » would cost a whole refresh more.
    assert queue.look(room.key, "early", now=OPENS - 1).refresh_seconds == 1.2
    assert queue.look(room.key, "early", now=OPENS - 0.01).refresh_seconds == 0.5


def test_before_the_opening_the_draw_asks_again_n_families_every_half_second(queue):
    """Each family comes back once in the last seconds before the opening, then from the
    opening on in the order of the draw: the first N are admitted at once, but the room
    does not ask all at once."""
    room = make_room(capacity=10, idle_seconds=600)
    members = [str(n) for n in range(35)]
    for n, member in enumerate(members):
        queue.check_in(room, member, now=OPENS - 60 + n)

    def asks_at(now: float) -> dict[int, float]:
        places = [queue.look(room.key, member, now=now) for member in members]
        return {p.position: round(now + p.refresh_seconds - OPENS, 1) for p in places}

    # From 5 s to 1 s before the opening, spread by the place in the draw so far.
    early = asks_at(OPENS - 20)
    assert [early[position] for position in (1, 18, 35)] == [-5.0, -3.0, -1.1]
    # Then ten every half second, in the order of the draw.
    settled = asks_at(OPENS - 3)
    waves = [settled[position] for position in (1, 2, 10, 11, 20, 21, 30, 31, 35)]
    assert waves == [0.2, 0.3, 0.7, 0.7, 1.2, 1.2, 1.7, 1.7, 1.9]
    # The first ten are the ones admitted at the opening.
    first_ten = {m for m in members if queue.look(room.key, m, now=OPENS - 3).position <= 10}
    at_opening = {member: queue.look(room.key, member, now=OPENS + 0.2) for member in members}
    admitted = {member for member, place in at_opening.items() if place.state == State.ACTIVE}
    assert admitted == first_ten


def test_a_place_knows_when_the_window_is_over(queue):
    room = make_room(capacity=0)
    queue.check_in(room, "a", now=OPENS)
    assert not queue.look(room.key, "a", now=room.closes_at - 1).is_over
    assert queue.look(room.key, "a", now=room.closes_at).is_over


def test_an_unknown_room_admits_nobody(queue):
    assert queue.look("never-configured", "a", now=OPENS).state == State.UNKNOWN


def test_room_keys_are_checked(queue):
    with pytest.raises(ValueError):
        queue.keys("a*b")


def test_without_redis_there_is_no_waiting_room(settings):
    settings.REDIS_URL = ""
    assert waiting_room.get_queue() is None
