from django import template
from django.utils.safestring import SafeString, mark_safe

from activities.catalogue_cache import week_section
from activities.selectors import CatalogueWeek

register = template.Library()


@register.simple_tag
def catalogue_week(entry: CatalogueWeek, register_url: str) -> SafeString:
    """One week of the catalogue, rendered once per distinct content (see catalogue_cache)."""
    return mark_safe(week_section(entry, register_url=register_url))  # rendered by a template
