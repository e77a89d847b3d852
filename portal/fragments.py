"""Rendered fragments kept per process under a fingerprint of everything they show.

Rendering a template is the costly part of the pages the rush opens; many families see the
same fragment (the same group with the same places left, in the same language). Each
fragment is kept under a key made of the language, the template's source and the *facts*
the caller passes: every value the fragment shows. A changed fact is a new key, never a
stale fragment, so nothing needs invalidating. Whoever shows a new value in the template
adds it to the caller's facts.
"""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.template import Context
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language


class FragmentCache:
    def __init__(self, template: str, *, max_entries: int) -> None:
        self.template = template
        # MAX_ENTRIES goes in OPTIONS: at the top level Django ignores it and keeps 300.
        self._kept = LocMemCache(
            f"fragments:{template}", {"TIMEOUT": 600, "OPTIONS": {"MAX_ENTRIES": max_entries}}
        )
        self._digest: str | None = None

    def _template_version(self) -> str:
        if self._digest is None:
            source = (Path(settings.BASE_DIR) / "templates" / self.template).read_bytes()
            self._digest = hashlib.blake2b(source, digest_size=8).hexdigest()
        return self._digest

    def render(self, facts: tuple, context: dict) -> SafeString:
        """The fragment for ``facts``, rendered with ``context`` the first time only."""
        fingerprint = repr((get_language(), self._template_version(), facts))
        key = hashlib.blake2b(fingerprint.encode(), digest_size=16).hexdigest()
        html = self._kept.get(key)
        if html is None:
            # The engine's template itself: no request, no context processors.
            html = get_template(self.template).template.render(Context(context))
            self._kept.set(key, html)
        return mark_safe(html)  # rendered by a template, escaped there

    def clear(self) -> None:
        self._kept.clear()
