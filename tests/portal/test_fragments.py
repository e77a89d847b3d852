"""The fragment cache renders once per distinct content, fills its holes at every call and
keeps as many fragments as it says."""

from types import SimpleNamespace

from django.template import engines

from portal.fragments import FragmentCache

OPTION = "registrations/_group_option.html"
PLACES = "registrations/_places_left.html"


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
    cache = FragmentCache(PLACES, max_entries=10)
    first = cache.render((3,), {"free": 3})
    # Same facts: the kept fragment, even if the context would now render otherwise.
    again = cache.render((3,), {"free": 99})
    fewer = cache.render((2,), {"free": 2})
    assert first == again and "3 place" in first
    assert "2 place" in fewer
    assert len(cache) == 2


def test_a_hole_is_filled_at_every_call_without_a_new_rendering(monkeypatch):
    cache = FragmentCache(OPTION, max_entries=10)
    context = {"option": _option(3), "places_left": cache.hole("places_left")}
    three = cache.render(("camp",), context, holes={"places_left": "3 places"})
    renderings = []
    template = engines["django"].get_template(OPTION).template
    monkeypatch.setattr(
        type(template), "render", lambda self, ctx: renderings.append(1) or "not this"
    )
    two = cache.render(("camp",), context, holes={"places_left": "2 <b>places</b>"})
    assert not renderings and len(cache) == 1
    assert "3 places" in three and "Camp Nature" in three
    assert "2 &lt;b&gt;places&lt;/b&gt;" in two  # a plain string is escaped
    assert two.replace("2 &lt;b&gt;places&lt;/b&gt;", "3 places") == three
    assert "\x00" not in two


def test_the_cache_keeps_at_most_its_entries():
    cache = FragmentCache(PLACES, max_entries=50)
    for n in range(120):
        cache.render((n,), {"free": n})
    assert 0 < len(cache) <= 50


def test_with_debug_nothing_is_kept(settings):
    settings.DEBUG = True
    cache = FragmentCache(PLACES, max_entries=10)
    cache.render((3,), {"free": 3})
    assert len(cache) == 0


def test_a_plain_text_fragment_escapes_neither_its_text_nor_its_holes():
    cache = FragmentCache("emails/_order_line.txt", max_entries=10, autoescape=False)
    activity = SimpleNamespace(name="Camp <Nature> & co", site="", kind="camp")
    line = SimpleNamespace(
        group=SimpleNamespace(activity=activity),
        week=SimpleNamespace(label="Semaine 1"),
        price=185,
        family_reduction=0,
    )
    context = {"r": line, "kind": "Camp de jour", "person": cache.hole("person")}
    text = cache.render(("camp",), context, holes={"person": 'Léo "<b>"'})
    assert text.startswith('- Léo "<b>" — Camp <Nature> & co (Camp de jour)')
