"""Rendered catalogue weeks, cached by a fingerprint of everything they show.

Rendering 300 group cards costs far more than the one availability query, so each week's
section is kept per process under a key made of its inputs (language, template source, and
every field the section shows, availability included). Availability is still computed on
every request: a changed place count is a new key, never a stale page, and no invalidation
is needed. Whoever shows a new field in ``_catalogue_week.html`` adds it to ``_facts``.
"""

import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.template.loader import render_to_string
from django.utils.translation import get_language

from .selectors import CatalogueWeek

TEMPLATE = "activities/_catalogue_week.html"
_sections = LocMemCache("catalogue-weeks", {"TIMEOUT": 600, "MAX_ENTRIES": 500})
_template_digest: str | None = None


def _template_version() -> str:
    global _template_digest
    if _template_digest is None:
        source = (Path(settings.BASE_DIR) / "templates" / TEMPLATE).read_bytes()
        _template_digest = hashlib.blake2b(source, digest_size=8).hexdigest()
    return _template_digest


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
                item.availability.public_free,
                item.availability.is_full,
            )
            for item in entry.items
        ),
    )


def week_section(entry: CatalogueWeek, *, register_url: str) -> str:
    facts = repr((get_language(), _template_version(), register_url, _facts(entry)))
    key = hashlib.blake2b(facts.encode(), digest_size=16).hexdigest()
    html = _sections.get(key)
    if html is None:
        html = render_to_string(
            TEMPLATE,
            {"entry": entry, "week": entry.week, "register_url": register_url},
        )
        _sections.set(key, html)
    return html


# --- Whole catalogue renderings, kept one second ----------------------------------------------

T = TypeVar("T")
_second: int | None = None
_pages: dict[tuple, object] = {}


def this_second(key: tuple, render: Callable[[], T]) -> T:
    """The catalogue may be a second behind: each process renders a given page (language,
    filters) at most once a second, whatever the rush. Checkout decides under the lock, so
    a place shown free for up to a second more is never sold twice."""
    global _second, _pages
    second = int(time.time())
    if second != _second:
        _second, _pages = second, {}
    html = _pages.get(key)
    if html is None:
        html = _pages[key] = render()
    return html


def forget() -> None:
    """Tests: start from nothing."""
    global _second, _pages
    _second, _pages = None, {}
