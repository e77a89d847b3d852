"""Timestamps come back from PostgreSQL exactly as Django's own loader gave them (aware, in
UTC, to the microsecond), read by psycopg's C loader (``portal/postgresql/base.py``)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from psycopg import adapters
from psycopg.pq import Format

from portal.models import OutgoingEmail
from portal.postgresql.base import TIMESTAMPTZ_OID, UtcTimestamptzLoader

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the backend is PostgreSQL's (CI sets it)"
    ),
]
MONTREAL = ZoneInfo("America/Montreal")


def test_the_connection_reads_timestamps_with_psycopgs_own_loader():
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    assert loader is UtcTimestamptzLoader
    psycopg_default = adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # Django compares the loader's zone with its own here
        assert cursor.cursor.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT) is loader
        assert isinstance(loader(TIMESTAMPTZ_OID, cursor.cursor)._load.__self__, psycopg_default)


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 6, 1, 18, 30, 0, 123456, tzinfo=MONTREAL),  # summer, microseconds
        datetime(2027, 1, 15, 23, 59, 59, 999999, tzinfo=MONTREAL),  # winter, next day in UTC
        datetime(2026, 3, 8, 2, 30, tzinfo=UTC),  # the hour Montreal skips
        datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
    ],
)
def test_a_stored_moment_comes_back_the_same_aware_in_utc(moment):
    email = OutgoingEmail.objects.create(to="a@example.org", subject="S", language="fr")
    OutgoingEmail.objects.filter(pk=email.pk).update(created_at=moment)

    read = OutgoingEmail.objects.values_list("created_at", flat=True).get(pk=email.pk)

    assert read == moment
    assert read.tzinfo is UTC
    assert read.utcoffset().total_seconds() == 0


def test_a_session_in_another_time_zone_still_reads_utc():
    """Django sets the connection to UTC; a server whose default zone is another one must
    not shift what is read (psycopg's loader follows the session's zone)."""
    email = OutgoingEmail.objects.create(to="a@example.org", subject="S", language="fr")
    moment = datetime(2026, 6, 1, 18, 30, 0, 5, tzinfo=MONTREAL)
    OutgoingEmail.objects.filter(pk=email.pk).update(created_at=moment)
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'America/Montreal'")
        try:
            cursor.execute("SELECT created_at FROM portal_outgoingemail WHERE id = %s", [email.pk])
            (read,) = cursor.fetchone()
        finally:
            cursor.execute("SET TIME ZONE 'UTC'")
    assert read == moment


def test_prepared_queries_are_planned_once_per_connection(settings):
    """With prepared statements on (the default), PostgreSQL keeps one plan per query and
    connection instead of planning again with each call's values; the lock timeout that
    turns a long wait into « occupé, réessayez » is still set beside it."""
    if not settings.DATABASES["default"]["OPTIONS"].get("server_side_binding"):
        pytest.skip("DB_PREPARED_STATEMENTS=0: nothing is prepared, so nothing is kept")
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_generic_plan"
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] != "0"
