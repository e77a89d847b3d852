"""One rendering a second for every process, never a copy more than a second old. Two
``SharedCopy`` objects of the same name stand for two web processes sharing the cache."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from portal import shared_copy
from portal.shared_copy import SharedCopy


class Page:
    """A rendering that says which process made it and when."""

    def __init__(self, process: str) -> None:
        self.process, self.count = process, 0

    def __call__(self) -> str:
        self.count += 1
        return f"{self.process}-{self.count}"


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def test_one_process_renders_and_the_others_serve_its_copy(clock):
    a, b = SharedCopy("page"), SharedCopy("page")
    render_a, render_b = Page("a"), Page("b")
    assert a.get("fr", render_a) == "a-1"
    clock.shift(timedelta(seconds=0.5))
    assert b.get("fr", render_b) == "a-1"
    assert a.get("fr", render_a) == "a-1"
    assert (render_a.count, render_b.count) == (1, 0)


def test_a_copy_is_never_served_a_second_after_its_data_was_read(clock):
    a, b = SharedCopy("page"), SharedCopy("page")
    render_a, render_b = Page("a"), Page("b")
    a.get("fr", render_a)
    b.get("fr", render_b)
    cache.add(a._cache_key("fr", "lease"), 1, 60)  # nobody renews it ahead of time
    clock.shift(timedelta(seconds=0.99))
    assert (a.get("fr", render_a), b.get("fr", render_b)) == ("a-1", "a-1")
    clock.shift(timedelta(seconds=0.011))
    assert (a.get("fr", render_a), b.get("fr", render_b)) == ("a-2", "b-1")


def test_the_copy_is_renewed_ahead_once_and_the_others_take_the_renewal(clock):
    a, b = SharedCopy("page"), SharedCopy("page")
    render_a, render_b = Page("a"), Page("b")
    a.get("fr", render_a)
    clock.shift(timedelta(seconds=1 - shared_copy.RENEW_AHEAD + 0.05))
    assert b.get("fr", render_b) == "b-1"  # b asked first in the last moments: b renews
    clock.shift(timedelta(seconds=0.1))
    assert a.get("fr", render_a) == "b-1"  # a takes b's renewal instead of rendering
    assert (render_a.count, render_b.count) == (1, 1)


def test_while_another_process_renews_a_fresh_copy_is_served_and_an_expired_one_never(clock):
    a, b = SharedCopy("page"), SharedCopy("page")
    render_a, render_b = Page("a"), Page("b")
    a.get("fr", render_a)
    b.get("fr", render_b)
    cache.add(b._cache_key("fr", "lease"), 1, 60)  # a third process is renewing, slowly
    clock.shift(timedelta(seconds=0.9))
    assert b.get("fr", render_b) == "a-1"  # still fresh
    clock.shift(timedelta(seconds=0.2))
    assert b.get("fr", render_b) == "b-1"  # expired and no renewal yet: its own rendering
    assert render_b.count == 1


def test_each_key_has_its_own_copy_and_distinct_keys_cannot_fill_the_memory(clock, monkeypatch):
    monkeypatch.setattr(shared_copy, "MAX_LOCAL_COPIES", 10)
    a = SharedCopy("page")
    assert a.get("fr", lambda: "français") == "français"
    assert a.get("en", lambda: "English") == "English"
    for n in range(50):
        a.get(f"filter-{n}", lambda: "filtered")
    assert len(a._local) <= 10


def test_without_the_cache_each_process_renders_its_own(clock, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    a, b = SharedCopy("page"), SharedCopy("page")
    render_a, render_b = Page("a"), Page("b")
    assert (a.get("fr", render_a), b.get("fr", render_b)) == ("a-1", "b-1")
    clock.shift(timedelta(seconds=0.5))
    assert (a.get("fr", render_a), b.get("fr", render_b)) == ("a-1", "b-1")
