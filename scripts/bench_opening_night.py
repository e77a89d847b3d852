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
3. Load (asyncio + aiohttp, loopback only): the families of the run sign in while waiting for
   the opening; then, at the opening, N concurrent parents each browse the catalogue, register
   two children for 2 to 4 weeks with services, check out, pay with the simulated provider and
   join the waiting list when a camp is full.
4. Prints throughput, p50/p95/p99 per step, errors, the catalogue/ceiling ratio (a bare Django
   view serving the same bytes) and an AUDIT of the database.
Exit status 1 when the audit fails or a request errored.
"""

import argparse
import asyncio
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
    parser.add_argument("--web-concurrency", default=os.environ.get("WEB_CONCURRENCY", "4"))
    parser.add_argument("--threads", default=os.environ.get("GUNICORN_THREADS", "8"))
    parser.add_argument("--ceiling-seconds", type=float, default=8.0)
    parser.add_argument("--seed", type=int, default=2027)
    args = parser.parse_args()
    if args.families is None:
        args.families = (10 if args.long else 1) * args.parents
    args.families = min(args.families, FAMILIES)
    if args.seconds is None:
        args.seconds = 600.0 if args.long else 90.0
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
        opens_at=now - timedelta(hours=1),
        opens_at_nonresident=now - timedelta(hours=1),
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
    def __init__(self, *, url: str, port: int, run_dir: Path, workers: str, threads: str):
        self.run_dir = run_dir
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "VENV": os.environ.get("VENV") or sys.prefix,
            "RUN_DIR": str(run_dir),
            "VAR_DIR": str(run_dir / "var"),  # the file email backend writes here
            "GUNICORN_BIND": f"{HOST}:{port}",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_THREADS": str(threads),
            "SECRET_KEY": SECRET_KEY,
            "ALLOW_SIMULATED_PAYMENTS": "1",
            "ACCOUNT_RATE_LIMITS_ENABLED": "0",
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
    errors: Counter = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    checkouts: int = 0  # orders paid
    refused_at_checkout: int = 0
    busy: int = 0
    waitlist_joins: int = 0
    full_seen: int = 0

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

    def __init__(self, *, base: str, connector, stats: Stats):
        import aiohttp

        self.base, self.stats = base, stats
        self.http = aiohttp.ClientSession(
            base_url=base,
            connector=connector,
            connector_owner=False,
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # cookies on an IP address
            timeout=aiohttp.ClientTimeout(total=60),
            headers={"Accept-Language": "fr"},
        )

    def csrf(self) -> str:
        for cookie in self.http.cookie_jar:
            if cookie.key == "csrftoken":
                return cookie.value
        return ""

    async def call(self, step: str, method: str, url: str, *, data=None, expect=(200, 302)):
        started = time.perf_counter()
        try:
            async with self.http.request(method, url, data=data, allow_redirects=False) as resp:
                body = await resp.text()
                status, location = resp.status, resp.headers.get("Location", "")
        except Exception as exc:
            self.stats.error(step, f"{type(exc).__name__}: {exc}")
            return None, "", ""
        self.stats.timings[step].append((time.perf_counter() - started) * 1000)
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


async def register_family(
    parent: Parent, town: Town, children: list[int], rng: random.Random
) -> None:
    stats = parent.stats
    status, _body, _ = await parent.call("catalogue", "GET", "/activites/catalogue/")
    if status is None:
        return
    added = 0
    for child in children:
        url = f"/inscription/?person={child}"
        status, page, _ = await parent.call("register_page", "GET", url)
        if status is None:
            return
        options = {int(pk) for pk in CHECKBOX.findall(page)}
        add, full = choose(rng, town, child, options)
        stats.full_seen += len(full)
        if add:
            status, page, _ = await parent.call(
                "add_to_cart",
                "POST",
                "/inscription/",
                data=[("person", str(child)), ("csrfmiddlewaretoken", parent.csrf())]
                + [("groups", str(pk)) for pk in add],
            )
            if status is None:
                return
            added += len(add)
        for camp, services in full:
            await join_waitlist(parent, page, child, camp, services)
    if not added:
        return
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
    status, page, _ = await parent.call("order_page", "GET", location)
    if status is not None:
        stats.checkouts += 1
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


async def rush(args, town: Town, base: str) -> tuple[Stats, float, float]:
    """Sign-in before the opening (bounded concurrency), then the registration rush."""
    import aiohttp

    stats = Stats()
    chosen = town.families[: args.families]
    connector = aiohttp.TCPConnector(limit=args.parents, force_close=False)
    gate = asyncio.Semaphore(args.parents)
    parents: list[tuple[Parent, list[int]]] = []

    async def sign_in(email: str, children: list[int]) -> None:
        async with gate:
            parent = Parent(base=base, connector=connector, stats=stats)
            if await login(parent, email):
                parents.append((parent, children))
            else:
                await parent.close()

    started = time.perf_counter()
    await asyncio.gather(*(sign_in(email, kids) for email, kids in chosen))
    sign_in_seconds = time.perf_counter() - started

    queue: asyncio.Queue = asyncio.Queue()
    for entry in parents:
        queue.put_nowait(entry)
    deadline = time.perf_counter() + args.seconds

    async def worker(n: int) -> None:
        local = random.Random(args.seed * 1000 + n)
        while time.perf_counter() < deadline:
            try:
                parent, children = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            try:
                await register_family(parent, town, children, local)
            finally:
                await parent.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(args.parents)))
    rush_seconds = time.perf_counter() - started
    while not queue.empty():
        await queue.get_nowait()[0].close()
    await connector.close()
    print(f"  sign-in of {len(chosen)} families: {sign_in_seconds:.1f} s")
    return stats, rush_seconds, sign_in_seconds


async def hammer(base: str, path: str, *, concurrency: int, seconds: float) -> tuple[list, int]:
    """As many GETs of one page as ``concurrency`` clients can make in ``seconds``."""
    import aiohttp

    timings, errors = [], 0
    deadline = time.perf_counter() + seconds
    async with aiohttp.ClientSession(base_url=base) as http:

        async def client() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    async with http.get(path, headers={"Accept-Language": "fr"}) as resp:
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


def wait_for_emails(seconds: float = 30.0) -> int:
    """Let the Celery worker drain the outbox (bounded); returns what is still pending."""
    from portal.models import OutgoingEmail

    deadline = time.monotonic() + seconds
    while True:
        pending = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING).count()
        if not pending or time.monotonic() > deadline:
            return pending
        time.sleep(0.5)


def main() -> int:
    args = parse_args()
    url, name = bench_database_url()
    base = f"http://{HOST}:{args.port}"
    run_dir = ROOT / "var" / f"bench-{args.port}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    rng = random.Random(args.seed)
    print(
        f"Opening-night benchmark: {args.parents} concurrent parents, {args.families} families "
        f"registering, database {name}, gunicorn {args.web_concurrency} workers x "
        f"{args.threads} threads on {base}, {os.cpu_count()} CPUs"
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
        url=url, port=args.port, run_dir=run_dir, workers=args.web_concurrency, threads=args.threads
    )
    try:
        stack.run("start")
        stats, rush_seconds, _ = asyncio.run(rush(args, town, base))
        print(f"\nRegistration rush: {rush_seconds:.1f} s")
        print(f"  paid checkouts: {stats.checkouts} -> {stats.checkouts / rush_seconds:.1f} /s")
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

        catalogue = asyncio.run(fetch(base, "/activites/catalogue/"))
        (run_dir / "catalogue.html").write_bytes(catalogue)
        concurrency = min(args.parents, 50)
        print(
            f"\nCatalogue vs ceiling ({concurrency} clients, {args.ceiling_seconds:.0f} s each, "
            f"{len(catalogue) // 1024} KiB page)"
        )
        results = {}
        for label, path in (("catalogue", "/activites/catalogue/"), ("ceiling", "/bench/ceiling")):
            timings, failed = asyncio.run(
                hammer(base, path, concurrency=concurrency, seconds=args.ceiling_seconds)
            )
            results[label] = len(timings) / args.ceiling_seconds
            errors += failed
            print(
                f"  {label:10} {results[label]:7.1f} req/s  p50 {percentile(timings, 50):6.0f} ms"
                f"  p95 {percentile(timings, 95):6.0f} ms  errors {failed}"
            )
        print(f"  ratio catalogue/ceiling: {results['catalogue'] / results['ceiling']:.2f}")
        pending = wait_for_emails()
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
