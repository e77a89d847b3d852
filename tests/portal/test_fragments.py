"""The fragment cache renders once per distinct content and keeps as many as it says."""

from portal.fragments import FragmentCache

TEMPLATE = "registrations/_group_option.html"


class CountingCache(FragmentCache):
    renders = 0

    def render(self, facts, context):
        before = len(self._kept._cache)
        html = super().render(facts, context)
        self.renders += len(self._kept._cache) > before
        return html


def _option(places: int):
    from types import SimpleNamespace

    group = SimpleNamespace(pk=7, activity=SimpleNamespace(name="Camp Nature", kind="camp"))
    group.activity.get_kind_display = "Camp de jour"
    group.min_age, group.max_age = 5, 6
    return SimpleNamespace(
        group=group,
        price=185,
        status="available",
        selectable=True,
        waits_with=None,
        availability=SimpleNamespace(public_free=places),
    )


def test_a_fragment_is_rendered_once_per_distinct_facts():
    cache = CountingCache(TEMPLATE, max_entries=10)
    cache.clear()
    first = cache.render(("camp", 3), {"option": _option(3)})
    again = cache.render(("camp", 3), {"option": _option(3)})
    fewer = cache.render(("camp", 2), {"option": _option(2)})
    assert first == again
    assert "3 place" in first and "2 place" in fewer
    assert cache.renders == 2


def test_the_cache_keeps_as_many_fragments_as_asked():
    """Django reads MAX_ENTRIES from OPTIONS only: at the top level it silently keeps 300,
    and a page of 90 options for several ages thrashed."""
    cache = FragmentCache(TEMPLATE, max_entries=2000)
    cache.clear()
    for n in range(1000):
        cache.render(("camp", n), {"option": _option(n)})
    assert len(cache._kept._cache) == 1000
