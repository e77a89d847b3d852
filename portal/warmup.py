"""What Django loads lazily on a process's first requests, loaded when a process starts.

A gunicorn worker (at start, or when ``max_requests`` replaces one in the middle of an
opening) would otherwise make its first families wait while it compiles the URL patterns
of each language, reads both languages' message catalogues and compiles the templates of
the pages the rush opens (``gunicorn.conf.py``'s ``post_worker_init``). The Celery worker
loads the same catalogues and URL patterns, and the emails of the rush, before its first
task (``portal.celery``): its first confirmation of the night spent about half a second
of CPU on them, in the middle of the rush.
"""

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import get_resolver
from django.utils import translation

#: The pages and fragments of opening night: the waiting room, « S'inscrire », the cart,
#: checkout's answer and the order, the catalogue, a waiting-list join.
RUSH_TEMPLATES = (
    "base.html",
    "_site_header.html",
    "registrations/waiting_room.html",
    "registrations/_waiting_status.html",
    "registrations/register.html",
    "registrations/_group_option.html",
    "registrations/_places_left.html",
    "registrations/cart.html",
    "registrations/_cart_line.html",
    "registrations/_cart_badge.html",
    "registrations/order_detail.html",
    "activities/catalogue.html",
    "activities/_catalogue_week.html",
    "activities/_catalogue_places.html",
    "waitlist/_join_button.html",
    "waitlist/_join_result.html",
)

#: The emails of opening night: the payment confirmation and the waiting-list join.
RUSH_EMAIL_TEMPLATES = tuple(
    f"emails/{name}{suffix}"
    for name in ("order_confirmation", "waitlist_joined")
    for suffix in (".html", ".txt", "_subject.txt")
)


def warm_up(templates: tuple[str, ...] = RUSH_TEMPLATES) -> None:
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Cart")  # the language's catalogues, merged once
            get_resolver().reverse_dict  # noqa: B018 (the URL patterns, per language)
    for name in templates:
        try:
            get_template(name)  # compiled once, then kept by the cached loader
        except TemplateDoesNotExist:  # an app left out of this build
            continue
