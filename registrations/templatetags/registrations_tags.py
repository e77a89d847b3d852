from django import template

from registrations.selectors import FamilyFile, family_registrations

register = template.Library()


@register.simple_tag
def family_file(family) -> FamilyFile | None:
    """« Mon dossier »: registrations and orders (``{% family_file family as f %}``)."""
    return family_registrations(family=family) if family is not None else None
