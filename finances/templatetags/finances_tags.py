from django import template

from ..models import PayerInfo
from ..rl24 import family_slip_years

register = template.Library()


@register.simple_tag
def tax_slip_file(family) -> dict:
    """« Mon dossier »'s RL-24 section: the payer on file (masked) and the years."""
    return {
        "payer": PayerInfo.objects.filter(family=family).first(),
        "years": family_slip_years(family=family),
    }
