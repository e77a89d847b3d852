"""A web process, and the Celery worker, load on start what their first requests or tasks
would (``portal.warmup``)."""

from celery.signals import worker_process_init, worker_ready
from django.template.loader import get_template
from django.urls import clear_url_caches, get_resolver
from django.utils import translation

from portal import warmup


def test_the_rush_templates_exist_so_the_list_stays_true():
    for name in warmup.RUSH_TEMPLATES + warmup.RUSH_EMAIL_TEMPLATES:
        get_template(name)  # raises TemplateDoesNotExist for a renamed template


def test_warming_up_loads_both_languages_and_their_urls(monkeypatch):
    # As a new process: no URL pattern compiled, no catalogue read.
    clear_url_caches()
    monkeypatch.setattr(translation.trans_real, "_translations", {})
    assert not get_resolver()._reverse_dict
    warmup.warm_up()
    for code in ("fr", "en"):
        assert code in get_resolver()._reverse_dict  # the patterns, compiled per language
    assert {"fr", "en"} <= set(translation.trans_real._translations)  # catalogues merged


def test_the_worker_warms_up_when_it_is_ready_and_in_each_child(monkeypatch):
    """The worker's first email of the night spent half a second of CPU loading these."""
    for signal in (worker_ready, worker_process_init):
        clear_url_caches()
        monkeypatch.setattr(translation.trans_real, "_translations", {})
        compiled = []
        monkeypatch.setattr(warmup, "get_template", compiled.append)
        signal.send(sender=None)
        assert {"fr", "en"} <= set(get_resolver()._reverse_dict)
        assert {"fr", "en"} <= set(translation.trans_real._translations)
        assert compiled == list(warmup.RUSH_EMAIL_TEMPLATES)
