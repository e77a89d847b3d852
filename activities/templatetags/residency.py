"""``{% family_openings family as openings %}``: when this family may register, per open season.

Residents and non-residents open at different times (non-residents later, and at other
prices); « Mon dossier » and the approval email both say which applies to the family."""

from dataclasses import dataclass
from datetime import datetime

from django import template
from django.utils import timezone

from activities import selectors
from activities.models import Season

register = template.Library()


@dataclass(frozen=True)
class Opening:
    season: Season
    opens_at: datetime
    is_open: bool


@register.simple_tag
def family_openings(family) -> list[Opening]:
    now = timezone.now()
    return [
        Opening(
            season=season,
            opens_at=(
                opens := selectors.registration_open_at(
                    season=season, is_resident=family.is_resident
                )
            ),
            is_open=opens <= now,
        )
        for season in selectors.open_seasons(now=now)
    ]
