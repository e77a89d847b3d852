"""Rendered catalogue weeks, cached by a fingerprint of everything they show
(``portal.fragments``), and whole catalogue pages kept one second for every process
(``portal.shared_copy``).

Rendering 300 group cards costs far more than the one availability query, so each week's
section is kept per process under a key made of every field it shows but the places left;
those change at every payment of the rush and fill a hole per card, so a payment no longer
makes the whole week render again. Whoever shows a new field in ``_catalogue_week.html``
adds it to ``_facts``.
"""

from collections.abc import Callable
from typing import TypeVar

from portal.fragments import FragmentCache
from portal.shared_copy import SharedCopy

from .selectors import CatalogueWeek

_sections = FragmentCache("activities/_catalogue_week.html", max_entries=500)
_places = FragmentCache("activities/_catalogue_places.html", max_entries=500)


def _facts(entry: CatalogueWeek) -> tuple:
    week = entry.week
    return (
        week.pk,
        week.number,
        week.starts_on,
        week.ends_on,
        tuple(
            (
                item.group.pk,
                item.group.activity.name,
                item.group.activity.kind,
                item.group.activity.site,
                item.group.min_age,
                item.group.max_age,
                item.group.price_resident,
                item.group.price_nonresident,
            )
            for item in entry.items
        ),
    )


def week_section(entry: CatalogueWeek, *, register_url: str) -> str:
    holes = {}
    for item in entry.items:
        free, is_full = item.availability.public_free, item.availability.is_full
        holes[f"places-{item.group.pk}"] = _places.render(
            (is_full, free), {"is_full": is_full, "free": free}
        )
    cards = [(item.group, _sections.hole(f"places-{item.group.pk}")) for item in entry.items]
    return _sections.render(
        (register_url, _facts(entry)),
        {"week": entry.week, "cards": cards, "register_url": register_url},
        holes=holes,
    )


# --- Whole catalogue renderings, kept one second ----------------------------------------------

T = TypeVar("T")
_copies = SharedCopy("catalogue", max_age=1.0)


def this_second(key: tuple, render: Callable[[], T]) -> T:
    """The catalogue may be a second behind: one process renders a given page (language,
    filters) at most about once a second and every web process serves that copy
    (``portal.shared_copy``). Checkout decides under the lock, so a place shown free for up
    to a second more is never sold twice."""
    return _copies.get(repr(key), render)


def forget() -> None:
    """Tests: start from nothing."""
    _copies.forget()
    _sections.clear()
    _places.clear()
