from django import template

from health.selectors import HealthFile, family_health_file

register = template.Library()


@register.simple_tag
def health_file(family) -> HealthFile | None:
    """« Mon dossier »: health forms and accompaniment (``{% health_file family as h %}``)."""
    return family_health_file(family=family) if family is not None else None
