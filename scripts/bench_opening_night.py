"""Opening-night benchmark: a large town registers at once against the production layout.

    make bench                                  # short run (< 3 minutes)
    make bench BENCH_ARGS=--long                # longer run (more families, more time)
    scripts/bench_opening_night.py --parents 200 --families 400 --seconds 90

1. Creates a throwaway PostgreSQL database (<DATABASE_URL name>_bench, dropped and
   recreated each run), migrates it and seeds a large town with bulk inserts: 5,000 approved
   families (half residents), 10,000 children aged 5 to 13, one open season of 10 weeks x 30
   groups (28 camps by age band of 20 places, one « Service de garde » of 60 and one
   « Transport à vélo » of 15 per week).
2. Starts the production layout (scripts/stack.sh: gunicorn + Celery worker + beat) on its own
   port and run directory, and always stops it at the end.
3. Load (asyncio + aiohttp, loopback only), as opening night now happens: the families sign
   in before the opening, each from its own address behind one trusted proxy (rate limits on,
   TRUSTED_PROXY_COUNT=1), and most of them (--prepared) fill their cart while the opening
   is still far off (nothing is reserved). Then the opening is set a few seconds ahead and,
   at the opening, N concurrent parents check out and pay (prepared carts) or browse the
   catalogue, register two children for 2 to 4 weeks with services, then check out and pay;
   all join the waiting list when a camp is full.
4. Prints throughput, p50/p95/p99 per step, errors, the lock hold time per checkout (p95),
   the CPU per paid checkout by process, the catalogue/ceiling ratio (a bare Django view
   serving the same bytes) and an AUDIT of the database.
Exit status 1 when the audit fails or a request errored.
"""

import argparse
import asyncio
import html
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FAMILIES, CHILDREN_PER_FAMILY, WEEKS = 5000, 2, 10
BANDS = [(5, 6), (7, 8), (9, 10), (11, 13)]
CAMPS_PER_BAND = 7  # 4 bands x 7 camps + daycare + transport = 30 groups a week
PASSWORD = "ouverture-2027"
HOST = "127.0.0.1"  # the load only ever targets loopback
SECRET_KEY = "opening-night-benchmark-not-a-secret"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parents", type=int, default=200, help="concurrent parents")
    parser.add_argument("--families", type=int, help="families that register (default N)")
    parser.add_argument("--seconds", type=float, help="time bound of the registration rush")
    parser.add_argument("--long", action="store_true", default=os.environ.get("BENCH_LONG") == "1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8765")))
    # Measured: 4 x 8 let a thread holding a group lock wait for the GIL behind 7 others
    # (lock held p95 2.2-2.7 s); 3 x 2 holds it p95 91 ms for the same throughput, and on two
    # cores 2 x 2 about half that, paying faster (gunicorn.conf.py: one worker per core).
    parser.add_argument(
        "--web-concurrency", default=os.environ.get("WEB_CONCURRENCY", str(os.cpu_count()))
    )
    parser.add_argument("--threads", default=os.environ.get("GUNICORN_THREADS", "2"))
    parser.add_argument("--ceiling-seconds", type=float, default=8.0)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument(
        "--prepared", type=float, default=0.8, help="share of families with a prepared cart"
    )
    parser.add_argument(
        "--opening-in", type=float, default=20.0, help="seconds from the end of sign-in"
    )
    parser.add_argument(
        "--room", type=int, default=60, help="families admitted at once by the waiting room (N)"
    )
    parser.add_argument(
        "--late", type=float, default=0.2, help="share of families arriving after the opening"
    )
    parser.add_argument(
        "--waiting-port",
        type=int,
        help="the waiting room's own process, for its page and the page's refreshes "
        "(default --port + 1; 0: the pages' processes)",
    )
    parser.add_argument(
        "--poll-seconds",
        type=float,
        help="refresh « Salle d'attente » this often instead of when the page says (0.5-30 s)",
    )
    args = parser.parse_args()
    if args.families is None:
        args.families = (10 if args.long else 1) * args.parents
    args.families = min(args.families, FAMILIES)
    if args.seconds is None:
        args.seconds = 600.0 if args.long else 90.0
    if args.waiting_port is None:
        args.waiting_port = args.port + 1
    return args


# --- Database ---------------------------------------------------------------------------


def bench_database_url() -> tuple[str, str]:
    """The server of DATABASE_URL, with a throwaway database name."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/camps")
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        sys.exit("make bench needs PostgreSQL: set DATABASE_URL=postgres://...")
    name = os.environ.get("BENCH_DATABASE_NAME") or f"{parts.path.lstrip('/') or 'camps'}_bench"
    return urlunsplit(parts._replace(path=f"/{name}")), name


def recreate_database(url: str, name: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("SECRET_KEY", SECRET_KEY)
    os.environ.setdefault("FIELD_ENCRYPTION_KEY", "YmVuY2htYXJrLW9ubHktbm90LWEtc2VjcmV0LWtleSE=")
    os.environ.setdefault("ALLOW_SIMULATED_PAYMENTS", "1")
    os.environ.setdefault("STATIC_MANIFEST", "0")
    import django

    django.setup()


@dataclass
class Town:
    families: list[tuple[str, list[int]]]  # (email, child ids)
    groups: dict[int, tuple[int, str, int, int, int]]  # pk -> (week, kind, min, max, capacity)
    child_age: dict[int, int]


def seed(rng: random.Random) -> Town:
    """A large town in a few bulk inserts (one shared password hash: hashing is slow on
    purpose, and 5,000 hashes would take minutes)."""
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import Family, Person, User
    from activities.models import Activity, Group, Season, Week

    now = timezone.now()
    reference = date(2027, 6, 28)
    season = Season.objects.create(
        name="Camps de jour — Été 2027 (banc d'essai)",
        # Far ahead while carts are prepared; moved to a few seconds ahead for the rush.
        opens_at=now + timedelta(hours=2),
        opens_at_nonresident=now + timedelta(hours=2),
        closes_at=now + timedelta(days=30),
        age_reference_date=reference,
    )
    weeks = Week.objects.bulk_create(
        Week(
            season=season,
            number=n + 1,
            starts_on=reference + timedelta(weeks=n),
            ends_on=reference + timedelta(weeks=n, days=4),
        )
        for n in range(WEEKS)
    )
    camps = [
        (Activity(kind="camp", name=f"Camp {band[0]}-{band[1]} ans nº {n + 1}", site="Parc"), band)
        for band in BANDS
        for n in range(CAMPS_PER_BAND)
    ]
    daycare = Activity(kind="daycare", name="Service de garde", site="École")
    transport = Activity(kind="transport", name="Transport à vélo", site="Parc")
    Activity.objects.bulk_create([a for a, _band in camps] + [daycare, transport])
    rows = []
    for week in weeks:
        for activity, (low, high) in camps:
            rows.append(
                Group(
                    activity=activity,
                    week=week,
                    capacity=20,
                    min_age=low,
                    max_age=high,
                    price_resident=Decimal("185.00"),
                    price_nonresident=Decimal("260.00"),
                )
            )
        rows.append(
            Group(
                activity=daycare,
                week=week,
                capacity=60,
                min_age=5,
                max_age=13,
                price_resident=Decimal("45.00"),
                price_nonresident=Decimal("65.00"),
            )
        )
        rows.append(
            Group(
                activity=transport,
                week=week,
                capacity=15,
                min_age=5,
                max_age=13,
                price_resident=Decimal("30.00"),
                price_nonresident=Decimal("40.00"),
            )
        )
    groups = Group.objects.bulk_create(rows)

    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(email=f"parent{n:05d}@banc.example.org", password=password, is_active=True)
        for n in range(FAMILIES)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
    )
    families = Family.objects.bulk_create(
        Family(
            user=u,
            guardian_first_name="Parent",
            guardian_last_name=f"Nº{n:05d}",
            address=f"{n + 1} rue Principale",
            city="Saint-Exemple",
            postal_code="J1H 2K3",
            phone="819 555-0100",
            is_resident=n % 2 == 0,
            status=Family.Status.APPROVED,
            approved_at=now,
            privacy_policy_version=settings.PRIVACY_POLICY_VERSION,
        )
        for n, u in enumerate(users)
    )
    children = Person.objects.bulk_create(
        Person(
            family=f,
            first_name=f"Enfant{c + 1}",
            last_name=f"Nº{n:05d}",
            birth_date=reference - timedelta(days=rng.randint(5 * 365 + 2, 13 * 365 + 360)),
        )
        for n, f in enumerate(families)
        for c in range(CHILDREN_PER_FAMILY)
    )
    by_family: dict[int, list[int]] = defaultdict(list)
    ages = {}
    for child in children:
        by_family[child.family_id].append(child.pk)
        ages[child.pk] = child.age_on(reference)
    return Town(
        families=[(u.email, by_family[f.pk]) for u, f in zip(users, families, strict=True)],
        groups={
            g.pk: (g.week.number, g.activity.kind, g.min_age, g.max_age, g.capacity) for g in groups
        },
        child_age=ages,
    )


# --- The production layout --------------------------------------------------------------


class Stack:
    def __init__(
        self, *, url: str, port: int, waiting_port: int, run_dir: Path, workers: str, threads: str
    ):
        self.run_dir = run_dir
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "VENV": os.environ.get("VENV") or sys.prefix,
            "RUN_DIR": str(run_dir),
            "VAR_DIR": str(run_dir / "var"),  # the file email backend writes here
            "GUNICORN_BIND": f"{HOST}:{port}",
            # As the TLS proxy routes it: the waiting page's refresh to its own process.
            "WAITING_BIND": f"{HOST}:{waiting_port}" if waiting_port else "",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_THREADS": str(threads),
            "SECRET_KEY": SECRET_KEY,
            "ALLOW_SIMULATED_PAYMENTS": "1",
            # Rate limits on, keyed on each parent's address behind the trusted proxy.
            "TRUSTED_PROXY_COUNT": "1",
            "LOCK_LOG_LEVEL": "INFO",  # registrations.locks: the hold time of each checkout
            "CACHE_KEY_PREFIX": f"bench{port}",
            "SITE_URL": f"http://{HOST}:{port}",
            "BENCH_CEILING_FILE": str(run_dir / "catalogue.html"),
            "DEBUG": "0",
        }

    def run(self, action: str) -> None:
        subprocess.run([str(ROOT / "scripts/stack.sh"), action], env=self.env, check=True)


# --- Load ---------------------------------------------------------------------------------

STEPS = [
    "login",
    "waiting_page",
    "waiting_poll",
    "catalogue",
    "register_page",
    "add_to_cart",
    "cart",
    "checkout",
    "pay",
    "order_page",
    "waitlist",
]


@dataclass
class Stats:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    sent_at: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # epoch s
    errors: Counter = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    checkouts: int = 0  # orders paid
    cpu: dict = field(default_factory=dict)  # CPU seconds during the rush, by process
    cpu_before_opening: dict = field(default_factory=dict)  # the waiting room's own cost
    cpu_at_opening: dict = field(default_factory=dict)  # CPU seconds so far, at the opening
    polls_before_opening: int = 0
    polls_at_opening: int = 0
    arrivals: dict = field(default_factory=dict)  # family -> (arrived, admitted), epoch s
    finished: dict = field(default_factory=dict)  # family -> its last answer, epoch s
    opening: float = 0.0
    paid_at: list = field(default_factory=list)  # when each paid checkout ended (epoch s)
    emails: dict = field(default_factory=dict)  # family index -> email
    refused_at_checkout: int = 0
    busy: int = 0
    waitlist_joins: int = 0
    full_seen: int = 0
    # How late the load generator's own event loop woke up during the rush (ms): a part of
    # every timing above that is the client's, not the server's.
    client_lag: list = field(default_factory=list)

    def error(self, step: str, detail: str) -> None:
        self.errors[step] += 1
        if len(self.samples) < 10:
            self.samples.append(f"{step}: {detail}")


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CHECKBOX = re.compile(r'name="groups" value="(\d+)"')
CART_WAITLIST_FORM = re.compile(
    r'class="waitlist-join".*?name="person" value="(\d+)".*?name="group" value="(\d+)"', re.S
)
FULL_OPTION = re.compile(r'group-option--full">.*?</li>', re.S)
GROUP_IN_FORM = re.compile(r'name="group" value="(\d+)"')
WAITLIST_ACTION = re.compile(r'formaction="([^"]*liste-attente[^"]*)"')


class Parent:
    """One family's browser: its own cookies, a shared connection pool."""

    def __init__(self, *, base: str, connector, stats: Stats, address: str):
        import aiohttp

        self.base, self.stats = base, stats
        self.admitted_on_arrival = False
        self.http = aiohttp.ClientSession(
            base_url=base,
            connector=connector,
            connector_owner=False,
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # cookies on an IP address
            timeout=aiohttp.ClientTimeout(total=60),
            # As the TLS proxy in front of gunicorn would add it (documentation addresses:
            # only a header, no traffic goes there).
            headers={"Accept-Language": "fr", "X-Forwarded-For": address},
        )

    def csrf(self) -> str:
        for cookie in self.http.cookie_jar:
            if cookie.key == "csrftoken":
                return cookie.value
        return ""

    async def call(
        self, step: str, method: str, url: str, *, data=None, expect=(200, 302), headers=None
    ):
        started, sent_at = time.perf_counter(), time.time()
        try:
            async with self.http.request(
                method, url, data=data, allow_redirects=False, headers=headers
            ) as resp:
                body = await resp.text()
                status, location = resp.status, resp.headers.get("Location", "")
                self.last_headers = resp.headers.copy()  # names in any case, as HTTP says
        except Exception as exc:
            self.stats.error(step, f"{type(exc).__name__}: {exc}")
            return None, "", ""
        self.stats.timings[step].append((time.perf_counter() - started) * 1000)
        self.stats.sent_at[step].append(sent_at)
        if status not in expect:
            self.stats.error(step, f"{method} {url} -> {status}")
            return None, "", ""
        return status, body, location

    async def close(self) -> None:
        await self.http.close()


async def login(parent: Parent, email: str) -> bool:
    status, _body, _ = await parent.call("login", "GET", "/compte/login/")
    if status is None:
        return False
    status, _body, location = await parent.call(
        "login",
        "POST",
        "/compte/login/",
        data={"login": email, "password": PASSWORD, "csrfmiddlewaretoken": parent.csrf()},
        expect=(302,),
    )
    return status == 302 and "/login" not in location


def choose(rng: random.Random, town: Town, child: int, options: set[int]) -> tuple[list, list]:
    """2 to 4 weeks, early summer and the first camps of the band most wanted; services
    sometimes. Returns (groups to add, full camps wanted with their add-ons)."""
    age = town.child_age[child]
    weeks = rng.choices(range(1, WEEKS + 1), weights=[10, 9, 8, 7, 6, 5, 4, 3, 2, 1], k=6)
    wanted = list(dict.fromkeys(weeks))[: rng.randint(2, 4)]
    by_week = defaultdict(list)
    for pk, (week, kind, low, high, _cap) in town.groups.items():
        if low <= age <= high:
            by_week[week].append((kind, pk))
    add, full = [], []
    for week in wanted:
        camps = sorted(pk for kind, pk in by_week[week] if kind == "camp")
        camp = rng.choices(camps, weights=[8, 4, 2, 1, 1, 1, 1][: len(camps)])[0]
        services = [
            pk
            for kind, pk in by_week[week]
            if (kind == "daycare" and rng.random() < 0.5)
            or (kind == "transport" and rng.random() < 0.2)
        ]
        if camp in options:
            add += [camp, *(pk for pk in services if pk in options)]
        else:
            full.append((camp, services))
    return add, full


async def fill_cart(parent: Parent, town: Town, children: list[int], rng: random.Random) -> int:
    """« S'inscrire » for each child: tick 2 to 4 weeks (with services), as htmx sends it;
    a full camp is joined on the waiting list. Returns the groups added."""
    added = 0
    for child in children:
        url = f"/inscription/?person={child}"
        status, page, _ = await parent.call("register_page", "GET", url)
        if status is None:
            return added
        options = {int(pk) for pk in CHECKBOX.findall(page)}
        add, full = choose(rng, town, child, options)
        parent.stats.full_seen += len(full)
        if add:
            status, _fragment, _ = await parent.call(
                "add_to_cart",
                "POST",
                "/inscription/",
                data=[("person", str(child)), ("csrfmiddlewaretoken", parent.csrf())]
                + [("groups", str(pk)) for pk in add],
                headers={"HX-Request": "true"},
            )
            if status is None:
                return added
            added += len(add)
        for camp, services in full:
            await join_waitlist(parent, page, child, camp, services)
    return added


async def register_family(
    parent: Parent, town: Town, children: list[int], rng: random.Random, *, prepared: bool
) -> None:
    """At the opening: a prepared family goes straight to its cart; the others browse the
    catalogue and fill their cart first. Then checkout and the simulated payment."""
    if not prepared:
        status, _body, _ = await parent.call("catalogue", "GET", "/activites/catalogue/")
        if status is None or not await fill_cart(parent, town, children, rng):
            return
    await pay_cart(parent, on_the_cart=prepared and parent.admitted_on_arrival)


async def pay_cart(parent: Parent, *, on_the_cart: bool = False) -> None:
    """« Payer » from the cart (opened first, unless the browser already shows it)."""
    stats = parent.stats
    if not on_the_cart:
        await parent.call("cart", "GET", "/inscription/panier/")
    status, _body, location = await parent.call(
        "checkout",
        "POST",
        "/inscription/panier/payer/",
        data={"csrfmiddlewaretoken": parent.csrf()},
        expect=(302,),
    )
    if status is None:
        return
    if location.endswith("/panier/"):  # nothing fitted any more, or « busy, try again »
        stats.busy += 1
        return
    refused = "paiement-simule" not in location
    if refused:  # some items refused: pay for the rest
        stats.refused_at_checkout += 1
        status, _body, location = await parent.call(
            "checkout",
            "POST",
            location.rstrip("/") + "/payer/",
            data={"csrfmiddlewaretoken": parent.csrf()},
            expect=(302,),
        )
        if status is None or "paiement-simule" not in location:
            return
    status, _body, location = await parent.call(
        "pay",
        "POST",
        location,
        data={"action": "pay", "csrfmiddlewaretoken": parent.csrf()},
        expect=(302,),
    )
    if status is None:
        return
    status, _page, _ = await parent.call("order_page", "GET", location)
    if status is not None:
        stats.checkouts += 1
        stats.paid_at.append(time.time())
    if refused:
        await join_from_cart(parent)


async def join_from_cart(parent: Parent) -> None:
    """Camps that filled during the rush stay in the cart marked full, each with its
    « Confirmer l'inscription en attente »: the parent takes the waiting list for them."""
    status, page, _ = await parent.call("cart", "GET", "/inscription/panier/")
    if status is None:
        return
    for person, group in CART_WAITLIST_FORM.findall(page):
        data = [("person", person), ("group", group), ("csrfmiddlewaretoken", parent.csrf())]
        status, _body, _ = await parent.call(
            "waitlist", "POST", "/liste-attente/rejoindre/", data=data
        )
        if status is not None:
            parent.stats.waitlist_joins += 1


async def join_waitlist(parent: Parent, page: str, child: int, camp: int, services: list) -> None:
    """« Confirmer l'inscription en attente » on the register page of a full camp."""
    action = WAITLIST_ACTION.search(page)
    if action is None:  # the waiting-list app is not in this build
        return
    data = [
        ("person", str(child)),
        ("group", str(camp)),
        ("next", f"/inscription/?person={child}"),
        ("csrfmiddlewaretoken", parent.csrf()),
    ] + [("addons", str(pk)) for pk in services]
    status, _body, _ = await parent.call("waitlist", "POST", action.group(1), data=data)
    if status is not None:
        parent.stats.waitlist_joins += 1


def address(n: int) -> str:
    """A distinct client address per family (documentation ranges, in a header only)."""
    prefix = ("198.51.100", "203.0.113", "192.0.2")[n // 250 % 3]
    return f"{prefix}.{n % 250 + 1}"


async def rush(args, town: Town, base: str) -> tuple[Stats, float, float]:
    """Sign-in and prepared carts before the opening (bounded concurrency), then the rush."""
    import aiohttp

    stats, before = Stats(), Stats()
    chosen = town.families[: args.families]
    # Idle connections are dropped before gunicorn's 5 s keep-alive ends, so a request never
    # goes out on a connection the server is closing (an error no browser would show).
    connector = aiohttp.TCPConnector(limit=args.parents, force_close=False, keepalive_timeout=3)
    # Families sign in over the half hour before the opening; here 20 at a time, so that on a
    # slow machine none waits past the client's timeout behind PBKDF2's million rounds.
    gate = asyncio.Semaphore(min(args.parents, 20))
    parents: list[tuple[Parent, list[int], bool]] = []
    plan = random.Random(args.seed)

    async def sign_in(n: int, email: str, children: list[int]) -> None:
        async with gate:
            parent = Parent(base=base, connector=connector, stats=before, address=address(n))
            parent.email = email  # sign-ins finish in any order: the family travels with it
            if not await login(parent, email):
                await parent.close()
                return
            prepared = plan.random() < args.prepared
            if prepared:
                await fill_cart(parent, town, children, random.Random(args.seed + n))
            parent.stats = stats
            parents.append((parent, children, prepared))

    started = time.perf_counter()
    await asyncio.gather(*(sign_in(n, e, kids) for n, (e, kids) in enumerate(chosen)))
    sign_in_seconds = time.perf_counter() - started
    prepared = sum(1 for _p, _c, ready in parents if ready)
    print(
        f"  before the opening: {len(parents)} families signed in, {prepared} carts prepared, "
        f"in {sign_in_seconds:.1f} s; errors {sum(before.errors.values())}"
    )
    for sample in before.samples:
        print(f"    {sample}")
    opening = await asyncio.to_thread(open_registration, in_seconds=args.opening_in, room=args.room)
    arrivals: dict[int, tuple[float, float]] = {}  # family index -> (arrived, admitted)
    deadline = opening + args.seconds
    timing = random.Random(args.seed + 1)
    # Early families arrive in the first 40 % of the time left; the last half of it is
    # pure waiting, where the waiting page's own cost is measured.
    now = time.time()
    arrivals_end, quiet_from = now + 0.4 * (opening - now), now + 0.5 * (opening - now)

    async def visit(n: int, parent: Parent, children: list[int], ready: bool) -> None:
        late = timing.random() < args.late
        arrive_at = opening + timing.uniform(0, 10) if late else timing.uniform(now, arrivals_end)
        try:
            await asyncio.sleep(max(0.0, arrive_at - time.time()))
            arrived = time.time()
            poll_base = f"http://{HOST}:{args.waiting_port}" if args.waiting_port else ""
            if not await wait_for_a_pass(
                parent, deadline, every=args.poll_seconds, poll_base=poll_base
            ):
                return
            arrivals[n] = (arrived, time.time())
            stats.emails[n] = parent.email
            await register_family(
                parent, town, children, random.Random(args.seed * 1000 + n), prepared=ready
            )
            stats.finished[n] = time.time()
        finally:
            await parent.close()

    tasks = [asyncio.create_task(visit(n, *entry)) for n, entry in enumerate(parents)]
    await asyncio.sleep(max(0.0, quiet_from - time.time()))
    cpu_before = await asyncio.to_thread(cpu_by_process)
    polls_before = len(stats.timings["waiting_poll"])
    await asyncio.sleep(max(0.0, opening - time.time()))
    cpu_at_opening = await asyncio.to_thread(cpu_by_process)
    stats.cpu_before_opening = {k: v - cpu_before.get(k, 0.0) for k, v in cpu_at_opening.items()}
    stats.cpu_at_opening = cpu_at_opening
    stats.polls_at_opening = len(stats.timings["waiting_poll"])
    stats.polls_before_opening = stats.polls_at_opening - polls_before
    started = time.perf_counter()
    probe = asyncio.create_task(measure_lag(stats.client_lag))
    await asyncio.gather(*tasks)
    probe.cancel()
    rush_seconds = time.perf_counter() - started
    stats.cpu = {
        k: v - cpu_at_opening.get(k, 0.0)
        for k, v in (await asyncio.to_thread(cpu_by_process)).items()
    }
    stats.arrivals = {n: arrivals[n] for n in sorted(arrivals)}
    stats.opening = opening
    await connector.close()
    return stats, rush_seconds, sign_in_seconds


async def measure_lag(lags: list[float], every: float = 0.01) -> None:
    """How much later than asked this process's event loop wakes up, until cancelled."""
    while True:
        asked = time.perf_counter()
        await asyncio.sleep(every)
        lags.append((time.perf_counter() - asked - every) * 1000)


WAITING_POLL = re.compile(r'hx-get="([^"]*salle-d-attente/place/[^"]*)"')
POLL_EVERY = re.compile(r'hx-trigger="every ([0-9.]+)s"')


def next_poll(fragment: str, every: float | None) -> float:
    """The page's own interval (htmx's ``every Ns``), unless the run forces one."""
    if every is not None:
        return every
    found = POLL_EVERY.search(fragment)
    return float(found.group(1)) if found else 5.0


async def wait_for_a_pass(
    parent: Parent, deadline: float, *, every: float | None, poll_base: str = ""
) -> bool:
    """Open « Panier »; sent to « Salle d'attente », refresh the place when its htmx does
    (or every ``every`` seconds) until htmx is told to go on. False if the run ends first."""
    status, _body, location = await parent.call("cart", "GET", "/inscription/panier/")
    if status is None:
        return False
    if "salle-d-attente" not in location:
        parent.admitted_on_arrival = status == 200  # the browser shows the cart already
        return True
    # The TLS proxy sends the waiting room's paths to its own process (README).
    status, page, _ = await parent.call("waiting_page", "GET", poll_base + location)
    if status is None:
        return False
    if status == 302:  # admitted as it arrived
        return True
    found = WAITING_POLL.search(page)
    if found is None:
        parent.stats.error("waiting_page", "no refresh link on the waiting page")
        return False
    poll = poll_base + html.unescape(found.group(1))  # where the proxy would route it
    fragment = page
    while time.time() < deadline:
        await asyncio.sleep(next_poll(fragment, every))
        status, fragment, _ = await parent.call("waiting_poll", "GET", poll)
        if status is None:
            return False
        if "HX-Redirect" in parent.last_headers:
            return True
    # A run in which families are never let in is a failed run, not a slow one.
    parent.stats.error("waiting_poll", "still in the waiting room when the run ended")
    return False


def open_registration(*, in_seconds: float, room: int) -> float:
    """The opening, a few seconds ahead (residents and non-residents alike); the waiting
    room, on from 30 minutes before it, admits ``room`` families at once."""
    from datetime import UTC, datetime

    from django.db import connection

    from activities.models import Season

    opening = time.time() + in_seconds
    moment = datetime.fromtimestamp(opening, tz=UTC)
    Season.objects.update(
        opens_at=moment,
        opens_at_nonresident=moment,
        waiting_room_minutes_before=30,
        max_active_families=room,
        active_idle_minutes=2,
    )
    connection.close()
    return opening


def cpu_by_process() -> dict[str, float]:
    """CPU seconds used so far, by kind of process (from /proc: user + system time, the
    reaped children's included)."""
    ticks = os.sysconf("SC_CLK_TCK")
    kinds = {"gunicorn": "web", "celery": "celery", "postgres": "postgresql", "redis": "redis"}
    totals: dict[str, float] = defaultdict(float)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="ignore")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime, stime and the children's that were reaped: a gunicorn worker replaced after
        # max_requests, or a PostgreSQL backend that closed, still counts (in its parent).
        seconds = sum(int(value) for value in fields[11:15]) / ticks
        if int(entry.name) == os.getpid():
            totals["load generator"] += seconds
            continue
        if "gunicorn" in cmdline and "--bind" in cmdline:  # stack.sh's WAITING_BIND process
            totals["waiting refresh"] += seconds
            continue
        for needle, kind in kinds.items():
            if needle in cmdline:
                totals[kind] += seconds
                break
    return dict(totals)


def lock_hold_times(log: Path, since: int) -> list[float]:
    """The ``lock_hold_ms`` lines the web processes logged (registrations.locks)."""
    try:
        lines = log.read_bytes()[since:].decode(errors="ignore").splitlines()
    except OSError:
        return []
    return [float(m.group(1)) for line in lines if (m := LOCK_LINE.search(line))]


LOCK_LINE = re.compile(r"lock_hold_ms=([0-9.]+)")


async def hammer(base: str, path: str, *, concurrency: int, seconds: float) -> tuple[list, int]:
    """As many GETs of one page as ``concurrency`` clients can make in ``seconds``, taking
    the bytes as a browser receives them: a gzipped page is inflated on the family's device,
    not on the server's cores this load generator shares (0.25 ms per catalogue here)."""
    import aiohttp

    timings, errors = [], 0
    deadline = time.perf_counter() + seconds
    async with aiohttp.ClientSession(base_url=base, auto_decompress=False) as http:

        async def client() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    headers = {"Accept-Language": "fr", "Accept-Encoding": "gzip"}
                    async with http.get(path, headers=headers) as resp:
                        await resp.read()
                        ok = resp.status == 200
                except Exception:
                    ok = False
                timings.append((time.perf_counter() - started) * 1000)
                errors += not ok

        await asyncio.gather(*(client() for _ in range(concurrency)))
    return timings, errors


# --- Report -------------------------------------------------------------------------------


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def peak_rate(moments: list[float], window: float) -> float:
    """The most paid checkouts in any ``window`` seconds, per second."""
    moments = sorted(moments)
    best, start = 0, 0
    for end, moment in enumerate(moments):
        while moment - moments[start] > window:
            start += 1
        best = max(best, end - start + 1)
    return best / window


def spearman(xs: list[float], ys: list[float]) -> float:
    """Rank correlation (no ties expected: times to the microsecond)."""

    def ranks(values: list[float]) -> list[float]:
        """Average ranks: families admitted by one same call share their admission time."""
        order = sorted(range(len(values)), key=values.__getitem__)
        result = [0.0] * len(values)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
                j += 1
            for k in range(i, j + 1):
                result[order[k]] = (i + j) / 2
            i = j + 1
        return result

    if len(xs) < 3:
        return 0.0
    rx, ry = ranks(xs), ranks(ys)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    spread = (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5
    return cov / spread if spread else 0.0


def server_admissions(port: int) -> dict[int, tuple[str, float]]:
    """When the waiting room admitted each user (its own clock, in Redis): fairness is judged
    on what the server decided, not on when a family's next refresh happened to see it."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    admitted: dict[int, tuple[str, float]] = {}
    for key in client.scan_iter(match=f"bench{port}:wr:*:admitted"):
        room = "residents" if b"-resident-" in key else "non-residents"
        for member, score in client.zrange(key, 0, -1, withscores=True):
            admitted[int(member)] = (room, score)
    return admitted


def forget_waiting_rooms(port: int) -> None:
    """The bench's own waiting-room keys from an earlier run (same ids in a new database)."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    for key in client.scan_iter(match=f"bench{port}:wr:*"):
        client.delete(key)


def user_ids(emails: list[str]) -> dict[str, int]:
    from accounts.models import User

    return dict(User.objects.filter(email__in=emails).values_list("email", "pk"))


def report_waiting_room(stats: Stats) -> None:
    """The waiting page's cost, and fairness: before the opening, arrival order must not
    predict admission order (a lottery); after it, admission follows arrival."""
    polls = stats.polls_before_opening
    # The refresh's own process when there is one (a web worker that gunicorn restarts then
    # would count its start-up).
    own = "waiting refresh" in stats.cpu_before_opening
    spent = stats.cpu_before_opening.get("waiting refresh" if own else "web", 0.0)
    if polls >= 20:
        print(
            f"  waiting page in the last half before the opening: {polls} refreshes, "
            f"{spent / polls * 1000:.2f} ms of CPU each "
            + ("(its own process)" if own else "(web: nothing else runs then)")
        )
    rush_polls = len(stats.timings["waiting_poll"]) - stats.polls_at_opening
    if rush_polls and "waiting refresh" in stats.cpu:
        print(
            f"  waiting page during the rush: {rush_polls} refreshes, "
            f"{stats.cpu['waiting refresh'] / rush_polls * 1000:.2f} ms of CPU each "
            "(its own process)"
        )
    # When the refreshes come: at the opening every family learns at once whether it is in.
    by_second: dict[int, list[float]] = defaultdict(list)
    for sent, ms in zip(stats.sent_at["waiting_poll"], stats.timings["waiting_poll"], strict=True):
        by_second[math.floor(sent - stats.opening)].append(ms)
    around = [second for second in sorted(by_second) if -5 <= second <= 5]
    later = [ms for second, values in by_second.items() if second > 5 for ms in values]
    if around:
        print(
            "  refreshes by second from the opening (count, p95 ms): "
            + ", ".join(
                f"{second:+d} s: {len(by_second[second])}, {percentile(by_second[second], 95):.0f}"
                for second in around
            )
            + (f"; later: {len(later)}, {percentile(later, 95):.0f}" if later else "")
        )
    # Residents and non-residents wait in rooms of their own: fairness is per room.
    for room in sorted({room for _a, room, _b in stats.arrivals.values()}):
        mine = [(a, b) for a, r, b in stats.arrivals.values() if r == room]
        early = [(a, b) for a, b in mine if a < stats.opening]
        late = [(a, b) for a, b in mine if a >= stats.opening]
        if len(early) >= 3:
            rho = spearman([a for a, _ in early], [b for _, b in early])
            bound = 3 / (len(early) - 1) ** 0.5
            verdict = "no correlation beyond chance" if abs(rho) < bound else "ORDER LEAKS"
            print(
                f"  fairness ({room}), {len(early)} families present before the opening: "
                f"Spearman rho(arrival, admission) = {rho:+.3f} (|rho| < {bound:.3f}: {verdict})"
            )
        if early and late:
            last_early = max(b for _, b in early)
            behind = sum(1 for _, b in late if b >= last_early)
            rho = spearman([a for a, _ in late], [b for _, b in late]) if len(late) >= 3 else 1.0
            print(
                f"  later arrivals ({room}): {behind} of {len(late)} admitted after every early "
                f"one; rho(arrival, admission) = {rho:+.3f} (ties: admitted by one same call)"
            )


def report_passes(stats: Stats, admitted: dict, ids: dict) -> None:
    """A pass's life: from the waiting room's admission (its clock) to the family seeing
    it (the next refresh), then to the family's last answer. N follows from their sum."""
    seen, busy = [], []
    for n, (_arrived, seen_at) in stats.arrivals.items():
        user = ids.get(stats.emails[n])
        if user in admitted and n in stats.finished:
            seen.append((seen_at - admitted[user][1]) * 1000)
            busy.append((stats.finished[n] - seen_at) * 1000)
    if seen:
        print(
            f"  a pass, from its admission: seen by the family after p50 {percentile(seen, 50):.0f}"
            f" ms (p95 {percentile(seen, 95):.0f}), the family done "
            f"{percentile(busy, 50) / 1000:.2f} s later (p95 {percentile(busy, 95) / 1000:.2f})"
        )


def report_line_rate(stats: Stats) -> None:
    """The rate while a line waited: from the opening to the payment of the last family that
    arrived before it. The whole rush's rate cannot pass families / (10 s + a visit): the
    last late family arrives up to 10 s after the opening, whatever the server's speed."""
    early = [n for n, (arrived, _seen) in stats.arrivals.items() if arrived < stats.opening]
    done = [stats.finished[n] for n in early if n in stats.finished]
    if not done:
        return
    until = max(done)
    paid = sum(1 for moment in stats.paid_at if moment <= until)
    print(
        f"  while a line waited (the opening to the last early family's payment, "
        f"{until - stats.opening:.1f} s): {paid / (until - stats.opening):.1f} paid checkouts/s"
    )


def print_steps(stats: Stats) -> None:
    print(f"  {'step':14} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for step in STEPS:
        values = stats.timings.get(step, [])
        if not values and not stats.errors[step]:
            continue
        print(
            f"  {step:14} {len(values):6d} {percentile(values, 50):8.0f} "
            f"{percentile(values, 95):8.0f} {percentile(values, 99):8.0f} {stats.errors[step]:7d}"
        )
    lags = stats.client_lag
    if lags:
        print(
            f"  {'(client lag)':14} {len(lags):6d} {percentile(lags, 50):8.0f} "
            f"{percentile(lags, 95):8.0f} {percentile(lags, 99):8.0f}"
            "          the load generator's own delay, in every timing above"
        )


def audit() -> list[str]:
    """The invariants, read from the database after the rush."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from activities.models import Group
    from portal.models import OutgoingEmail
    from registrations.models import Order, Registration

    now = timezone.now()
    problems = []
    occupying = Q(registrations__status="confirmed") | Q(
        registrations__status="held", registrations__hold_expires_at__gt=now
    )
    over = (
        Group.objects.annotate(taken=Count("registrations", filter=occupying))
        .filter(taken__gt=models_F("capacity"))
        .count()
    )
    full = Group.objects.annotate(taken=Count("registrations", filter=occupying)).filter(
        taken__gte=models_F("capacity")
    )
    print(
        f"  groups over capacity: {over} (full groups: {full.count()} of {Group.objects.count()})"
    )
    if over:
        problems.append(f"{over} group(s) over capacity")

    paid = set(Order.objects.filter(status="paid").values_list("pk", flat=True))
    subjects = OutgoingEmail.objects.filter(kind="order_confirmation").values_list(
        "subject", flat=True
    )
    per_order = Counter(int(m.group(1)) for s in subjects if (m := re.search(r"C-(\d+)", s)))
    missing = [pk for pk in paid if per_order[pk] == 0]
    doubled = [pk for pk in paid if per_order[pk] > 1]
    stray = [pk for pk in per_order if pk not in paid]
    print(
        f"  paid orders: {len(paid)}, confirmation emails: {sum(per_order.values())} "
        f"(missing {len(missing)}, duplicated {len(doubled)}, for unpaid orders {len(stray)})"
    )
    if missing or doubled or stray:
        problems.append("paid orders and confirmation emails do not match one to one")
    sent = Counter(
        OutgoingEmail.objects.filter(kind="order_confirmation").values_list("status", flat=True)
    )
    print(f"  confirmation emails by status: {dict(sent)}")

    orphans = (
        Registration.objects.filter(status="held")
        .exclude(order__status=Order.Status.PENDING_PAYMENT)
        .count()
    )
    print(f"  held registrations without a pending order: {orphans}")
    if orphans:
        problems.append(f"{orphans} hold(s) without a pending order")
    return problems


def models_F(name: str):
    from django.db.models import F

    return F(name)


def report_email_delays(stats: Stats, rush_ended: float) -> None:
    """The worker renders and sends at a lower CPU priority than the web: how late the
    confirmations went out, and its CPU through the drain (not only during the rush)."""
    from django.db.models import Max

    from portal.models import OutgoingEmail

    sent = OutgoingEmail.objects.filter(kind="order_confirmation", sent_at__isnull=False)
    delays = [
        (sent_at - created_at).total_seconds()
        for created_at, sent_at in sent.values_list("created_at", "sent_at")
    ]
    last = sent.aggregate(last=Max("sent_at"))["last"]
    drained = max(0.0, last.timestamp() - rush_ended) if last else 0.0
    worker = cpu_by_process().get("celery", 0.0) - stats.cpu_at_opening.get("celery", 0.0)
    print(
        f"  confirmations sent after the payment: p50 {percentile(delays, 50):.1f} s, "
        f"p95 {percentile(delays, 95):.1f} s, last {drained:.1f} s after the rush; Celery CPU "
        f"through the drain {worker / max(stats.checkouts, 1) * 1000:.0f} ms per paid checkout"
    )


def wait_for_emails(seconds: float = 30.0) -> int:
    """Let the Celery worker drain the outbox (bounded); returns what is still pending."""
    from portal.models import OutgoingEmail

    deadline = time.monotonic() + seconds
    while True:
        pending = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING).count()
        if not pending or time.monotonic() > deadline:
            return pending
        time.sleep(0.5)


def ports_in_use(*ports: int) -> list[int]:
    """Ports something already answers on: another run's stack, which this run's fresh
    run directory would orphan (its pid files gone) and then measure instead of its own."""
    import socket

    taken = []
    for port in ports:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex((HOST, port)) == 0:
                taken.append(port)
    return taken


def main() -> int:
    args = parse_args()
    if taken := ports_in_use(args.port, *([args.waiting_port] if args.waiting_port else [])):
        sys.exit(
            f"port {', '.join(map(str, taken))} already answers: another run of this benchmark, "
            f"or a stack one left (RUN_DIR=var/bench-{args.port} scripts/stack.sh stop); "
            "one run at a time"
        )
    url, name = bench_database_url()
    base = f"http://{HOST}:{args.port}"
    run_dir = ROOT / "var" / f"bench-{args.port}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    rng = random.Random(args.seed)
    print(
        f"Opening-night benchmark: {args.parents} concurrent parents, {args.families} families "
        f"registering, database {name}, gunicorn {args.web_concurrency} workers x "
        f"{args.threads} threads on {base}"
        + (f" (refreshes on port {args.waiting_port})" if args.waiting_port else "")
        + f", {os.cpu_count()} CPUs; the waiting page refreshed "
        + (f"every {args.poll_seconds:g} s" if args.poll_seconds else "when it says (0.5-30 s)")
    )

    started = time.perf_counter()
    recreate_database(url, name)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    town = seed(rng)
    with connection.cursor() as cursor:  # planner statistics, as a live database has them
        cursor.execute("ANALYZE")
    connection.close()
    print(
        f"  database migrated and seeded in {time.perf_counter() - started:.1f} s "
        f"({len(town.families)} families, {len(town.child_age)} children, "
        f"{len(town.groups)} groups)"
    )

    stack = Stack(
        url=url,
        port=args.port,
        waiting_port=args.waiting_port,
        run_dir=run_dir,
        workers=args.web_concurrency,
        threads=args.threads,
    )
    forget_waiting_rooms(args.port)
    web_log = ROOT / "var/log/gunicorn.log"
    try:
        stack.run("start")
        log_start = web_log.stat().st_size if web_log.exists() else 0
        stats, rush_seconds, _ = asyncio.run(rush(args, town, base))
        print(f"\nRegistration rush: {rush_seconds:.1f} s")
        print(f"  paid checkouts: {stats.checkouts} -> {stats.checkouts / rush_seconds:.1f} /s")
        print(f"  busiest 10 s: {peak_rate(stats.paid_at, 10.0):.1f} paid checkouts/s")
        admitted = server_admissions(args.port)
        ids = user_ids(list(stats.emails.values()))
        report_passes(stats, admitted, ids)
        report_line_rate(stats)
        stats.arrivals = {
            n: (arrived, *admitted[ids[stats.emails[n]]])
            for n, (arrived, _seen) in stats.arrivals.items()
            if ids.get(stats.emails[n]) in admitted
        }
        report_waiting_room(stats)
        holds = lock_hold_times(web_log, log_start)
        print(
            f"  group lock held per checkout: p50 {percentile(holds, 50):.1f} ms, "
            f"p95 {percentile(holds, 95):.1f} ms ({len(holds)} checkouts)"
        )
        if stats.checkouts:
            per = ", ".join(
                f"{kind} {seconds / stats.checkouts * 1000:.0f} ms"
                for kind, seconds in sorted(stats.cpu.items(), key=lambda kv: -kv[1])
            )
            print(f"  CPU per paid checkout: {per}")
        print(
            f"  checkouts with refused items: {stats.refused_at_checkout}, "
            f"back to the cart (full or busy): {stats.busy}, "
            f"full camps met: {stats.full_seen}, waiting-list joins: {stats.waitlist_joins}"
        )
        print_steps(stats)
        errors = sum(stats.errors.values())
        print(f"  errors (non-2xx/3xx or exceptions): {errors}")
        for sample in stats.samples:
            print(f"    {sample}")

        rush_ended = time.time()
        pending = wait_for_emails(60.0)  # the drain would otherwise skew the catalogue's runs
        report_email_delays(stats, rush_ended)
        catalogue = asyncio.run(fetch(base, "/activites/catalogue/"))
        (run_dir / "catalogue.html").write_bytes(catalogue)
        concurrency = min(args.parents, 50)
        print(
            f"\nCatalogue vs ceiling ({concurrency} clients, {args.ceiling_seconds:.0f} s each, "
            f"twice each in turn, {len(catalogue) // 1024} KiB page)"
        )
        results: dict[str, list[float]] = defaultdict(list)
        per_cpu: dict[str, list[float]] = defaultdict(list)
        for label, path in [
            ("catalogue", "/activites/catalogue/"),
            ("ceiling", "/bench/ceiling"),
        ] * 2:
            web_before = cpu_by_process().get("web", 0.0)
            timings, failed = asyncio.run(
                hammer(base, path, concurrency=concurrency, seconds=args.ceiling_seconds)
            )
            web_seconds = cpu_by_process().get("web", 0.0) - web_before
            results[label].append(len(timings) / args.ceiling_seconds)
            per_cpu[label].append(len(timings) / web_seconds if web_seconds else 0.0)
            errors += failed
            rate, p50, p95 = results[label][-1], percentile(timings, 50), percentile(timings, 95)
            print(
                f"  {label:10} {rate:7.1f} req/s  p50 {p50:6.0f} ms  p95 {p95:6.0f} ms"
                f"  errors {failed}  ({per_cpu[label][-1]:.0f} per second of web CPU)"
            )
        best = {label: max(rates) for label, rates in results.items()}
        print(
            f"  ratio catalogue/ceiling (best of each): {best['catalogue'] / best['ceiling']:.2f}"
        )
        # The load generator takes its share of the same two cores, and its share moves the
        # ratio above; what the web itself spends per request does not depend on it.
        served = {label: max(rates) for label, rates in per_cpu.items()}
        if served["ceiling"]:
            print(
                "  ratio per second of web CPU (best of each): "
                f"{served['catalogue'] / served['ceiling']:.2f}"
            )
        print(f"\n  emails still pending after the worker's drain: {pending}")
    finally:
        stack.run("stop")

    print("\nAUDIT")
    problems = audit()
    print("  " + ("OK" if not problems else "FAILED: " + "; ".join(problems)))
    return 1 if problems or errors else 0


async def fetch(base: str, path: str) -> bytes:
    import aiohttp

    async with (
        aiohttp.ClientSession(base_url=base) as http,
        http.get(path, headers={"Accept-Language": "fr"}) as resp,
    ):
        return await resp.read()


if __name__ == "__main__":
    sys.exit(main())
