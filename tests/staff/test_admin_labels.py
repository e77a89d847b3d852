"""Every column and field label of the admin is translated: none falls back to the attribute's
name (« NUMBER » for ``Order.number``), and the French admin does not read English."""

import pytest
from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

pytestmark = pytest.mark.django_db

# Words that are the same in French and English.
SAME_IN_BOTH = {
    *("total", "note", "notes", "date", "message", "source", "type", "description"),
    *("position", "action", "site", "allergies", "id"),
}


def _names(model_admin) -> list[str]:
    names = [*model_admin.list_display, *model_admin.readonly_fields]
    for filter_ in model_admin.list_filter:
        if isinstance(filter_, str):
            names.append(filter_)
    return [name for name in names if name != "action_checkbox"]


def _admins():
    for model, model_admin in admin.site._registry.items():
        yield model, model_admin, _names(model_admin)
        for inline in model_admin.inlines:
            inline_admin = inline(model, admin.site)
            names = [*(inline_admin.fields or ()), *inline_admin.readonly_fields]
            yield inline_admin.model, inline_admin, [n for n in names if isinstance(n, str)]


def _source(name: str, model, model_admin):
    """Where the label comes from: a field's verbose name or a display's description."""
    if callable(name):
        return getattr(name, "short_description", None)
    if name == "__str__":
        return model._meta.verbose_name
    try:
        field = get_fields_from_path(model, name)[-1]
    except (FieldDoesNotExist, NotRelationField):
        pass
    else:
        if getattr(field, "primary_key", False) and field.auto_created:
            return gettext_lazy("ID")  # Django's own « ID »
        # A reverse relation has no verbose name of its own: its model's.
        return getattr(field, "verbose_name", None) or field.related_model._meta.verbose_name
    attr = getattr(model_admin, name, None) or getattr(model, name, None)
    if isinstance(attr, property):
        attr = attr.fget
    return getattr(attr, "short_description", None)


def test_every_admin_label_comes_from_the_catalogue():
    untranslated = []
    for model, model_admin, names in _admins():
        for name in names:
            source = _source(name, model, model_admin)
            if not isinstance(source, Promise):
                untranslated.append(f"{model._meta.label}.{getattr(name, '__name__', name)}")
    assert untranslated == [], "\n".join(untranslated)


def test_the_french_admin_reads_french():
    same = []
    for model, model_admin, names in _admins():
        for name in names:
            source = _source(name, model, model_admin)
            with translation.override("fr"):
                french = str(source)
            with translation.override("en"):
                english = str(source)
            if french.lower() == english.lower() and french.lower() not in SAME_IN_BOTH:
                same.append(f"{model._meta.label}.{getattr(name, '__name__', name)}: {french}")
    assert same == [], "\n".join(same)
