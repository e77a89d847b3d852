"""Rendered fragments kept per process under the facts they show.

Rendering a template is the costly part of the pages the rush opens; many families see the
same fragment (the same group with the same places left, in the same language). Each
fragment is kept under the language and the *facts* the caller passes: every value the
fragment shows, as a tuple. A changed fact is a new key, never a stale fragment, so nothing
needs invalidating. Whoever shows a new value in the template adds it to the caller's facts.

The key is the tuple itself (a dict lookup, no hashing of a rendered string): a page of 90
options pays microseconds for its hits. With ``DEBUG`` on nothing is kept, so an edited
template shows at once on the development server.
"""

from django.conf import settings
from django.template import Context
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language


class FragmentCache:
    def __init__(self, template: str, *, max_entries: int) -> None:
        self.template = template
        self.max_entries = max_entries
        self._kept: dict[tuple, SafeString] = {}

    def render(self, facts: tuple, context: dict) -> SafeString:
        """The fragment for ``facts``, rendered with ``context`` the first time only."""
        key = (get_language(), facts)
        html = self._kept.get(key)
        if html is None:
            # The engine's template itself: no request, no context processors.
            html = mark_safe(get_template(self.template).template.render(Context(context)))
            if not settings.DEBUG:
                if len(self._kept) >= self.max_entries:
                    self._kept = {}  # rare: a new season's worth of fragments; start again
                self._kept[key] = html
        return html

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        self._kept = {}
