"""Time the public catalogue page with 300 groups, on a throwaway database.

    make bench-catalogue                      # SQLite in memory
    DATABASE_URL=postgres://... make bench-catalogue   # PostgreSQL: creates and drops bench_<db>

Prints the median and 95th percentile over repeated requests made with Django's test Client
(the whole request path: middleware, selector, templates), and the number of SQL queries.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "YmVuY2htYXJrLW9ubHktbm90LWEtc2VjcmV0LWtleSE=")
os.environ.setdefault("ALLOW_SIMULATED_PAYMENTS", "1")
os.environ.setdefault("STATIC_MANIFEST", "0")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

WEEKS, ACTIVITIES = 10, 30  # 300 groups


def build_catalogue() -> int:
    from accounts.models import Family, Person, User
    from activities.models import Activity, Group, Season, Week
    from registrations.models import Order, Registration
    from waitlist.models import WaitlistEntry

    now = timezone.now()
    season = Season.objects.create(
        name="Benchmark",
        opens_at=now - timedelta(days=1),
        opens_at_nonresident=now,
        closes_at=now + timedelta(days=60),
        age_reference_date=date(2027, 6, 28),
    )
    weeks = Week.objects.bulk_create(
        Week(
            season=season,
            number=n + 1,
            starts_on=date(2027, 6, 28) + timedelta(weeks=n),
            ends_on=date(2027, 7, 2) + timedelta(weeks=n),
        )
        for n in range(WEEKS)
    )
    kinds = list(Activity.Kind.values)
    activities = Activity.objects.bulk_create(
        Activity(kind=kinds[n % len(kinds)], name=f"Activité {n:02d}", site="Parc")
        for n in range(ACTIVITIES)
    )
    groups = Group.objects.bulk_create(
        Group(
            activity=a,
            week=w,
            capacity=20,
            price_resident=Decimal("185.00"),
            price_nonresident=Decimal("260.00"),
            min_age=5 + n % 3 * 3,
            max_age=7 + n % 3 * 3,
        )
        for w in weeks
        for n, a in enumerate(activities)
    )
    # Occupancy: every group has a few confirmed places, holds and waiting entries to count.
    user = User.objects.create_user("bench@example.org")
    family = Family.objects.create(
        user=user,
        guardian_first_name="B",
        guardian_last_name="Bench",
        address="1 rue",
        city="Ville",
        postal_code="J1H 2K3",
        phone="819 555-0100",
        status=Family.Status.APPROVED,
    )
    order = Order.objects.create(
        family=family, provider="simulated", hold_expires_at=now, status=Order.Status.PAID
    )
    # Each group: 3 confirmed, 1 held (its own children: one camp per child and week), 2 waiting.
    persons = Person.objects.bulk_create(
        Person(family=family, first_name=f"E{n}", last_name="Bench", birth_date=date(2019, 1, 1))
        for n in range(len(groups) * 6)
    )
    registrations, entries = [], []
    for index, group in enumerate(groups):
        mine = persons[index * 6 : index * 6 + 6]
        for n, person in enumerate(mine[:4]):
            registrations.append(
                Registration(
                    order=order,
                    person=person,
                    group=group,
                    week=group.week,
                    kind=group.activity.kind,
                    status=Registration.Status.HELD if n == 3 else Registration.Status.CONFIRMED,
                    price=group.price_resident,
                    hold_expires_at=now + timedelta(minutes=30),
                )
            )
        entries += [WaitlistEntry(family=family, person=p, group=group) for p in mine[4:]]
    Registration.objects.bulk_create(registrations)
    WaitlistEntry.objects.bulk_create(entries)
    return Group.objects.count()


def measure(client: Client, params: dict, requests: int, **headers) -> tuple[list[float], int]:
    url = reverse("activities:catalogue")
    for _ in range(5):  # warm-up: templates, translations, connection
        client.get(url, params, headers=headers)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url, params, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, params, headers=headers)
    return timings, len(ctx.captured_queries)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()

    setup_test_environment()
    test_settings = connection.settings_dict.setdefault("TEST", {})
    if connection.vendor != "sqlite":
        test_settings["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        groups = build_catalogue()
        client = Client(headers={"accept-language": "fr"})
        print(
            f"Catalogue benchmark: {groups} groups, {connection.vendor}, {args.requests} requests"
        )
        cases = [
            ("full page, no filter", {}, {}),
            ("htmx results, age=5 kind=camp", {"age": "5", "kind": "camp"}, {"HX-Request": "true"}),
        ]
        for label, params, headers in cases:
            timings, queries = measure(client, params, args.requests, **headers)
            print(
                f"  {label:32} median {statistics.median(timings):7.1f} ms   "
                f"p95 {p95(timings):7.1f} ms   {queries} queries"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
