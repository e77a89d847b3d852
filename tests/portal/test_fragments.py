"""The fragment cache renders once per distinct content and keeps as many as it says."""

from types import SimpleNamespace

from portal.fragments import FragmentCache

TEMPLATE = "registrations/_group_option.html"


def _option(places: int) -> SimpleNamespace:
    activity = SimpleNamespace(name="Camp Nature", kind="camp", get_kind_display="Camp de jour")
    return SimpleNamespace(
        group=SimpleNamespace(pk=7, activity=activity, min_age=5, max_age=6),
        price=185,
        status="available",
        selectable=True,
        waits_with=None,
        availability=SimpleNamespace(public_free=places),
    )


def test_a_fragment_is_rendered_once_per_distinct_facts():
    cache = FragmentCache(TEMPLATE, max_entries=10)
    first = cache.render(("camp", 3), {"option": _option(3)})
    # Same facts: the kept fragment, even if the context would now render otherwise.
    again = cache.render(("camp", 3), {"option": _option(99)})
    fewer = cache.render(("camp", 2), {"option": _option(2)})
    assert first == again and "3 place" in first
    assert "2 place" in fewer
    assert len(cache) == 2


def test_the_cache_keeps_at_most_its_entries():
    cache = FragmentCache(TEMPLATE, max_entries=50)
    for n in range(120):
        cache.render(("camp", n), {"option": _option(n)})
    assert 0 < len(cache) <= 50


def test_with_debug_nothing_is_kept(settings):
    settings.DEBUG = True
    cache = FragmentCache(TEMPLATE, max_entries=10)
    cache.render(("camp", 3), {"option": _option(3)})
    assert len(cache) == 0
