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
