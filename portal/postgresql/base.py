"""Django's PostgreSQL backend, with timestamps read by psycopg's C loader.

Django registers its own ``timestamptz`` loader, a Python subclass of psycopg's Python one
(the C class cannot be subclassed), and every timestamp of every row then goes through
Python's parser: about 8 µs each, several hundred per paid checkout on opening night. With
``USE_TZ`` and the connection in UTC (Django sets it so), psycopg's own loader already
returns what Django's would: an aware datetime in ``datetime.timezone.utc``. The loader here
hands each value to it, and keeps the ``timezone`` attribute that Django's
``create_cursor`` compares. Any other configuration keeps Django's loader.
"""

from datetime import UTC
from functools import lru_cache

from django.db.backends.postgresql import base
from psycopg import adapt, adapters
from psycopg.postgres import types
from psycopg.pq import Format

TIMESTAMPTZ_OID = types["timestamptz"].oid
# psycopg's default: the C loader where psycopg's C implementation is installed.
_PSYCOPG_LOADER = adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)


class UtcTimestamptzLoader(adapt.Loader):
    """``timestamptz`` as psycopg loads it, for a connection whose time zone is UTC."""

    timezone = UTC  # what Django's create_cursor reads to leave the cursor alone

    def __init__(self, oid: int, context=None) -> None:
        super().__init__(oid, context)
        self._load = _PSYCOPG_LOADER(oid, context).load

    def load(self, data):
        return self._load(data)


@lru_cache
def _with_utc_loader(template: adapt.AdaptersMap) -> adapt.AdaptersMap:
    context = adapt.AdaptersMap(template)
    context.register_loader(TIMESTAMPTZ_OID, UtcTimestamptzLoader)
    return context


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        if self.timezone is UTC and "context" in params:
            params["context"] = _with_utc_loader(params["context"])
        return params
