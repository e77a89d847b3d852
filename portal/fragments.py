"""Rendered fragments kept per process under the facts they show.

Rendering a template is the costly part of the pages the rush opens; many families see the
same fragment (the same group with the same places left, in the same language). Each
fragment is kept under the language and the *facts* the caller passes: every value the
fragment shows, as a tuple. A changed fact is a new key, never a stale fragment, so nothing
needs invalidating. Whoever shows a new value in the template adds it to the caller's facts.

A value that changes far more often than the rest (the places left, at every payment of the
rush) can be a *hole* instead of a fact: the template prints ``cache.hole(name)`` where it
goes, the fragment is kept with the hole open, and each call fills it with that moment's
HTML (``holes={name: html}``). The places left then cost a join, not a new rendering of the
whole fragment.

The key is the tuple itself (a dict lookup, no hashing of a rendered string): a page of 90
options pays microseconds for its hits. With ``DEBUG`` on nothing is kept, so an edited
template shows at once on the development server.
"""

import re
from collections.abc import Mapping

from django.conf import settings
from django.template import Context
from django.template.loader import get_template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# NUL never reaches a template's output from our data (PostgreSQL text cannot hold it).
_HOLE = re.compile("\x00hole:([^\x00]+)\x00")


class FragmentCache:
    def __init__(self, template: str, *, max_entries: int, autoescape: bool = True) -> None:
        self.template = template
        self.max_entries = max_entries
        # Off for plain text (an email's text part): nothing is escaped, holes included.
        self.autoescape = autoescape
        self._kept: dict[tuple, SafeString | tuple[str, ...]] = {}

    @staticmethod
    def hole(name: str) -> SafeString:
        """What the template prints where the hole ``name`` is filled at each call."""
        return mark_safe(f"\x00hole:{name}\x00")

    def render(
        self, facts: tuple, context: dict, *, holes: Mapping[str, str] | None = None
    ) -> SafeString:
        """The fragment for ``facts``, rendered with ``context`` the first time only; its
        holes filled with ``holes`` (escaped unless marked safe) every time."""
        key = (get_language(), facts)
        kept = self._kept.get(key)
        if kept is None:
            # The engine's template itself: no request, no context processors.
            html = get_template(self.template).template.render(
                Context(context, autoescape=self.autoescape)
            )
            kept = mark_safe(html) if holes is None else tuple(_HOLE.split(html))
            if not settings.DEBUG:
                if len(self._kept) >= self.max_entries:
                    self._kept = {}  # rare: a new season's worth of fragments; start again
                self._kept[key] = kept
        if holes is None:
            return kept
        # Text and hole names alternate: (text, name, text, name, text).
        fill = conditional_escape if self.autoescape else str
        return mark_safe(
            "".join(part if n % 2 == 0 else fill(holes[part]) for n, part in enumerate(kept))
        )

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        self._kept = {}
