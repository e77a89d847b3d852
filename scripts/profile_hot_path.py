"""Web CPU and SQL per step of a family's opening-night visit, in one process (no load).

    .venv/bin/python scripts/profile_hot_path.py              # table: median CPU ms, SQL
    .venv/bin/python scripts/profile_hot_path.py --profile pay   # cProfile of one step

The benchmark's town (scripts/bench_opening_night.py's seed) in its own throwaway database
(<DATABASE_URL name>_profile), DEBUG off, the production middleware and the Redis of
REDIS_URL. Each family: « S'inscrire », add to cart (htmx), the cart, checkout, the
simulated payment, the order page, a waiting-list join from the cart for the camp that
filled (its week's daycare riding along), plus the catalogue, the cart badge and the waiting
page's refresh. CPU is this process's (``time.process_time``,
for the table and for ``--profile``): what a web worker spends, without PostgreSQL's side.
The median over ``--families`` families is what the table shows; « PostgreSQL ms » is the
CPU the connection's server process spent meanwhile (its ``/proc/<pid>/schedstat``, so only
with PostgreSQL on this machine): planning, executing, committing. SQL counts the statements
the step sends (savepoints included; BEGIN and COMMIT, which Django's debug log adds, are
not). ``PROFILE_SQL=<step>`` prints them for one family.
"""

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

import bench_opening_night as bench  # noqa: E402


class Clock:
    """CPU spent in the outermost calls of some functions during a step: what a faster
    template engine, or rendering emails in the worker, could save at most."""

    def __init__(self) -> None:
        self.ms = 0.0
        self.depth = 0

    def wrap(self, owner, name: str) -> None:
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            self.depth += 1
            started = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.depth -= 1
                if self.depth == 0:
                    self.ms += (time.process_time() - started) * 1000

        setattr(owner, name, timed)


STEPS = [
    "catalogue",
    "register",
    "add_to_cart",
    "cart",
    "badge",
    "checkout",
    "pay",
    "order",
    "waitlist",
]


def server_cpu_ns(connection) -> tuple[int | None, int]:
    """(pid, CPU ns so far) of the connection's PostgreSQL process, read from /proc: the
    server runs on this machine. (None, 0) when it cannot be read."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    try:
        return pid, int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None, 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=40)
    parser.add_argument("--profile", choices=[*STEPS, "waiting", "all"], help="cProfile this step")
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/camps")
    parts = urlsplit(base)
    name = f"{parts.path.lstrip('/') or 'camps'}_profile"
    url = urlunsplit(parts._replace(path=f"/{name}"))
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    bench.recreate_database(url, name)
    bench.setup_django(url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    town = bench.seed(random.Random(2027))
    from accounts.models import User

    cpu: dict[str, list[float]] = defaultdict(list)
    templates: dict[str, list[float]] = defaultdict(list)
    emails: dict[str, list[float]] = defaultdict(list)
    from django.template.backends import django as template_backend

    import portal.emails

    clock, email_clock = Clock(), Clock()
    clock.wrap(template_backend.Template, "render")
    clock.wrap(portal.emails, "render_plain_text")
    email_clock.wrap(portal.emails, "render_email")
    queries: dict[str, list[int]] = defaultdict(list)
    server_cpu: dict[str, list[float]] = defaultdict(list)
    profiler = cProfile.Profile(time.process_time)

    def step(label: str, call):
        # Statements are counted by a wrapper, not Django's debug cursor: formatting each
        # query's text for its log would be measured as the page's own CPU.
        statements: list[str] = []

        def record(execute, sql, params, many, context):
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            if args.profile in (label, "all"):
                profiler.enable()
            server, server_started = server_cpu_ns(connection)
            started, clock.ms, email_clock.ms = time.process_time(), 0.0, 0.0
            response = call()
            cpu[label].append((time.process_time() - started) * 1000)
            server_after, server_ended = server_cpu_ns(connection)
            if server is not None and server_after == server:  # same process throughout
                server_cpu[label].append((server_ended - server_started) / 1e6)
            templates[label].append(clock.ms)
            emails[label].append(email_clock.ms)
            if args.profile in (label, "all"):
                profiler.disable()
        queries[label].append(len(statements))
        if os.environ.get("PROFILE_SQL") == label and len(queries[label]) == 3:
            for sql in statements:
                print(f"  [{label}] {sql[:220]}")
        if response.status_code >= 400:
            sys.exit(f"{label}: {response.status_code}")
        return response

    # The last week's camp of the first child goes in the cart with that week's daycare, and
    # fills before the opening: checkout refuses both, and after paying the rest the family
    # sends them to the waiting list from its cart, as the benchmark's families do.
    last_week = max(week for week, *_rest in town.groups.values())

    def last_week_groups(child: int) -> list[int]:
        age = town.child_age[child]
        camp = min(
            pk
            for pk, (week, kind, low, high, _cap) in town.groups.items()
            if week == last_week and kind == "camp" and low <= age <= high
        )
        daycare = [
            pk
            for pk, (week, kind, low, high, _cap) in town.groups.items()
            if week == last_week and kind == "daycare" and low <= age <= high
        ]
        return [camp, *daycare[:1]]

    rng = random.Random(7)
    chosen = town.families[: args.families]
    clients = []
    for n, (email, children) in enumerate(chosen):  # prepared before the opening
        client = Client(REMOTE_ADDR=bench.address(n), HTTP_ACCEPT_LANGUAGE="fr")
        client.force_login(User.objects.get(email=email))
        for i, child in enumerate(children):
            page = client.get(f"/inscription/?person={child}").content.decode()
            options = {int(pk) for pk in bench.CHECKBOX.findall(page)}
            add, _full = bench.choose(rng, town, child, options)
            add = [pk for pk in add if town.groups[pk][0] != last_week]
            if i == 0:
                add += last_week_groups(child)
            data = {"person": child, "groups": add}
            if add:
                client.post("/inscription/", data, headers={"HX-Request": "true"})
        clients.append((client, children))

    from django.utils import timezone

    from activities.models import Season

    # Opened yesterday: no waiting room now, checkout allowed.
    yesterday = timezone.now() - timezone.timedelta(days=1)
    Season.objects.update(opens_at=yesterday, opens_at_nonresident=yesterday)
    from activities.models import Group

    Group.objects.filter(week__number=last_week, activity__kind="camp").update(capacity=0)

    from portal.waiting_room import Room, get_queue
    from registrations.waiting_room import place_ticket

    # A room opening in an hour, everyone waiting in it: the refresh renders its fragment.
    room = Room(
        key=f"profile-{int(time.time())}",
        opens_at=time.time() + 3600,
        closes_at=time.time() + 7200,
        capacity=10,
        idle_seconds=120,
    )
    for n in range(len(clients)):
        get_queue().check_in(room, str(n + 1), now=time.time())
    for n, (client, children) in enumerate(clients):
        child = children[0]
        ticket = place_ticket(room_key=room.key, user_id=n + 1)
        poll = f"/inscription/salle-d-attente/place/?ticket={ticket}"
        step("catalogue", lambda c=client: c.get("/activites/catalogue/"))
        page = step("register", lambda c=client, p=child: c.get(f"/inscription/?person={p}"))
        options = [int(pk) for pk in bench.CHECKBOX.findall(page.content.decode())]
        extra = {"person": child, "groups": options[-1:]}
        step(
            "add_to_cart",
            lambda c=client, d=extra: c.post("/inscription/", d, headers={"HX-Request": "true"}),
        )
        step("cart", lambda c=client: c.get("/inscription/panier/"))
        step("badge", lambda c=client: c.get("/inscription/panier/badge/"))
        paying = step("checkout", lambda c=client: c.post("/inscription/panier/payer/"))
        location = paying["Location"]
        if "paiement-simule" not in location:  # the full camp refused: pay for the rest
            location = client.post(location.rstrip("/") + "/payer/")["Location"]
        if "paiement-simule" not in location:
            continue
        done = step("pay", lambda c=client, u=location: c.post(u, {"action": "pay"}))
        step("order", lambda c=client, u=done["Location"]: c.get(u))
        camp = last_week_groups(child)[0]
        join = {"person": child, "group": camp, "next": "/inscription/panier/"}
        step("waitlist", lambda c=client, d=join: c.post("/liste-attente/rejoindre/", d))
        step("waiting", lambda c=client, u=poll: c.get(u))

    print(
        f"{'step':12} {'CPU ms p50':>10} {'p90':>7} {'SQL':>5} {'templates ms':>13}"
        f" {'emails ms':>10} {'PostgreSQL ms':>14}"
        f"   ({len(clients)} families)"
    )
    for label in [*STEPS, "waiting"]:
        if cpu[label]:
            p90 = statistics.quantiles(cpu[label], n=10)[-1] if len(cpu[label]) > 1 else 0
            print(
                f"{label:12} {statistics.median(cpu[label]):10.1f} {p90:7.1f} "
                f"{statistics.median(queries[label]):5.0f} "
                f"{statistics.median(templates[label]):13.1f} "
                f"{statistics.median(emails[label]):10.1f}"
                f" {statistics.median(server_cpu[label] or [0.0]):14.2f}"
            )
    total = sum(statistics.median(cpu[label]) for label in STEPS if cpu[label])
    on_server = sum(statistics.median(server_cpu[label]) for label in STEPS if server_cpu[label])
    print(f"{'visit':12} {total:10.1f} {'':7} {'':5} {'':13} {'':10} {on_server:14.2f}")
    if args.profile:
        stats = pstats.Stats(profiler)
        (ROOT / "var").mkdir(exist_ok=True)
        stats.dump_stats(str(ROOT / "var" / "hot_path.prof"))
        stats.sort_stats("cumulative").print_stats(45)
    return 0


if __name__ == "__main__":
    sys.exit(main())
