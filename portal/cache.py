"""Redis as the cache, where an outage is a cache miss, never a server error.

Sessions (``cached_db``), allauth's rate limits and the pages all go through the cache: with
Django's plain Redis backend a stopped Redis turned every logged-in page into a 500. Here a
connection or timeout error is logged and answered as "nothing cached" (reads) or "not
stored" (writes); the database stays the source of truth. Rate limits are therefore off
while Redis is down (logged). ``clear()`` deletes this cache's own keys only: the Redis
database may be shared (Celery's broker, another test run), so it never runs FLUSHDB.

Django's Redis client builds a new ``redis.Redis`` for every call, and redis-py 8 copies
some 170 response callbacks into each (about 0.1 ms of CPU, as much as the command itself);
a page makes several calls (session, cart count, places). ``ReusedRedisClient`` keeps one
per connection pool: ``redis.Redis`` over a pool is safe to share between threads.
"""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)


def _survives_outage(fallback: Callable[..., Any]) -> Callable:
    def decorator(method: Callable) -> Callable:
        @wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except OUTAGE:
                logger.warning("Cache unreachable: %s answered as a miss", method.__name__)
                return fallback(*args, **kwargs)

        return wrapper

    return decorator


class ReusedRedisClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key=None, *, write: bool = False):
        pool = self._get_connection_pool(write)  # pools live as long as this client
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusedRedisClient

    @_survives_outage(lambda key, default=None, version=None: default)
    def get(self, key, default=None, version=None):
        return super().get(key, default, version)

    # True: allauth takes its rate-limit lock with add(); refusing it would lock everyone out.
    @_survives_outage(lambda *args, **kwargs: True)
    def add(self, key, value, timeout=None, version=None):
        return super().add(key, value, timeout, version)

    @_survives_outage(lambda *args, **kwargs: None)
    def set(self, key, value, timeout=None, version=None):
        return super().set(key, value, timeout, version)

    @_survives_outage(lambda *args, **kwargs: False)
    def touch(self, key, timeout=None, version=None):
        return super().touch(key, timeout, version)

    @_survives_outage(lambda *args, **kwargs: False)
    def delete(self, key, version=None):
        return super().delete(key, version)

    @_survives_outage(lambda *args, **kwargs: {})
    def get_many(self, keys, version=None):
        return super().get_many(keys, version)

    @_survives_outage(lambda *args, **kwargs: False)
    def has_key(self, key, version=None):
        return super().has_key(key, version)

    @_survives_outage(lambda *args, **kwargs: 0)
    def incr(self, key, delta=1, version=None):
        return super().incr(key, delta, version)

    @_survives_outage(lambda data, *args, **kwargs: list(data))
    def set_many(self, data, timeout=None, version=None):
        return super().set_many(data, timeout, version)

    @_survives_outage(lambda *args, **kwargs: None)
    def delete_many(self, keys, version=None):
        return super().delete_many(keys, version)

    @_survives_outage(lambda *args, **kwargs: False)
    def clear(self) -> bool:
        """Delete the keys under this cache's prefix, never the whole Redis database."""
        client = self._cache.get_client(write=True)
        batch = []
        for key in client.scan_iter(match=f"{self.key_prefix}:*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.delete(*batch)
                batch = []
        if batch:
            client.delete(*batch)
        return True
