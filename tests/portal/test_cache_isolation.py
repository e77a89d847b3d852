"""The tests' cache never wipes a shared Redis database."""

import pytest
from django.conf import settings
from django.core.cache import cache


def test_the_cache_key_prefix_belongs_to_this_test_run():
    assert settings.CACHES["default"]["KEY_PREFIX"].startswith("test-")


def test_clearing_the_cache_leaves_other_keys_of_the_redis_database_alone():
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: the file cache has no neighbours to protect")
    client = cache._cache.get_client(write=True)
    client.set("someone-else:1:key", "kept", ex=60)
    cache.set("mine", "gone")
    try:
        cache.clear()
        assert cache.get("mine") is None
        assert client.get("someone-else:1:key") == b"kept"
    finally:
        client.delete("someone-else:1:key")


def test_the_cache_reuses_one_redis_client_and_threads_share_it_safely():
    """Django's backend built a redis.Redis per call (about 0.1 ms each with redis-py 8)."""
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: the reused client is the Redis backend's")
    from concurrent.futures import ThreadPoolExecutor

    from django.core.cache import caches

    backend = caches.create_connection("default")
    assert backend._cache.get_client() is backend._cache.get_client(write=True)

    def round_trip(n: int) -> bool:
        backend.set(f"shared-client-{n}", n, 30)
        return all(backend.get(f"shared-client-{n}") == n for _ in range(20))

    try:
        with ThreadPoolExecutor(8) as pool:
            assert all(pool.map(round_trip, range(40)))
    finally:
        backend.delete_many([f"shared-client-{n}" for n in range(40)])
