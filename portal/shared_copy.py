"""One rendering a second for every process and machine, never more than a second old.

A page that everyone opens at once (the catalogue at the opening) used to be rendered once a
second by each web process: with three processes, three renderings a second of 300 group
cards, a quarter of a 2-core machine. Here one process renders it and shares it through the
cache with the moment its data was read; the others serve that copy until it is
``max_age`` old. The copy is renewed ``RENEW_AHEAD`` seconds before it expires, by whichever
process asks first (a short lease in the cache), so nobody waits for the renewal; a process
that finds every copy expired and another process renewing renders its own rather than
serve an old one. Without the cache (Redis down) every process renders its own, as before.
"""

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

RENEW_AHEAD = 0.3  # seconds before a copy expires when one process starts renewing it
RECHECK = 0.05  # seconds between two looks at the cache for a renewed copy
LEASE_SECONDS = 5  # a renewal that died frees its lease after this long
MAX_LOCAL_COPIES = 500


@dataclass(frozen=True)
class _Copy:
    value: Any
    fresh_until: float  # epoch seconds: when the data it shows was read, plus max_age


class SharedCopy:
    """``get(key, render)``: ``render()``'s value, at most ``max_age`` seconds behind."""

    def __init__(self, name: str, *, max_age: float = 1.0) -> None:
        self.name, self.max_age = name, max_age
        self._local: dict[str, _Copy] = {}
        self._looked: dict[str, float] = {}  # key -> when this process last asked the cache

    def get(self, key: str, render: Callable[[], Any]) -> Any:
        now = time.time()
        copy = self._local.get(key)
        if copy is not None and now < copy.fresh_until - RENEW_AHEAD:
            return copy.value
        expired = copy is None or now >= copy.fresh_until
        if not expired and now - self._looked.get(key, 0.0) < RECHECK:
            return copy.value  # looked a moment ago: a renewal is under way somewhere
        self._looked[key] = now
        copy = self._newer(key, copy)
        if copy is not None and now < copy.fresh_until - RENEW_AHEAD:
            return copy.value
        lease = self._cache_key(key, "lease")
        if cache.add(lease, 1, LEASE_SECONDS):
            try:
                return self._render(key, render, share=True).value
            finally:
                cache.delete(lease)
        if copy is not None and now < copy.fresh_until:
            return copy.value  # still fresh; another process is renewing it
        return self._render(key, render, share=False).value

    def forget(self) -> None:
        """Drop this process's copies and the shared ones it knows (tests)."""
        cache.delete_many([self._cache_key(key, "latest") for key in self._local])
        self._local.clear()
        self._looked.clear()

    def _render(self, key: str, render: Callable[[], Any], *, share: bool) -> _Copy:
        read_at = time.time()  # the data is read after this moment
        copy = _Copy(render(), read_at + self.max_age)
        self._keep(key, copy)
        if share:
            keep = int(self.max_age) + 10
            stamp = repr(copy.fresh_until)
            cache.set(self._cache_key(key, stamp), copy.value, keep)
            cache.set(self._cache_key(key, "latest"), stamp, keep)
        return copy

    def _newer(self, key: str, copy: _Copy | None) -> _Copy | None:
        """The shared copy if it is newer than this process's: a small read, then the value."""
        stamp = cache.get(self._cache_key(key, "latest"))
        if stamp is None or (copy is not None and float(stamp) <= copy.fresh_until):
            return copy
        value = cache.get(self._cache_key(key, stamp))
        if value is None:
            return copy
        copy = _Copy(value, float(stamp))
        self._keep(key, copy)
        return copy

    def _keep(self, key: str, copy: _Copy) -> None:
        """Filters come from the URL: a flood of distinct ones must not fill the memory."""
        if len(self._local) >= MAX_LOCAL_COPIES:
            now = time.time()
            self._local = {k: c for k, c in self._local.items() if c.fresh_until > now}
            if len(self._local) >= MAX_LOCAL_COPIES:
                self._local.clear()
            self._looked = {k: t for k, t in self._looked.items() if k in self._local}
        self._local[key] = copy

    def _cache_key(self, key: str, part: str) -> str:
        digest = hashlib.blake2b(key.encode(), digest_size=12).hexdigest()
        return f"shared:{self.name}:{digest}:{part}"
