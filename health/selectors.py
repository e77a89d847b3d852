"""Reads about health forms and accompaniment that pages (and the checkout) share."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.models import Family, Person
from activities.models import Season
from portal.compiled import CompiledQuery

from .models import AccompanimentRequest, HealthForm, SeasonHealthPolicy


def current_seasons(*, now: datetime | None = None) -> QuerySet[Season]:
    """Seasons a family prepares for: registration still open, or camp not yet over."""
    now = now or timezone.now()
    return (
        Season.objects.filter(Q(closes_at__gt=now) | Q(weeks__ends_on__gte=now.date()))
        .distinct()
        .order_by("opens_at", "pk")
    )


def season_first_day(season: Season) -> date | None:
    return season.weeks.aggregate(first=Min("starts_on"))["first"]


# Every checkout asks (``missing_health_forms``): compiled once per process
# (``portal.compiled``). Through the reverse one-to-one, a season without settings cost
# the ORM's compilation and a raised DoesNotExist on each call.
_POLICY = CompiledQuery(
    lambda *, season_id: SeasonHealthPolicy.objects.filter(season_id=season_id)[:1]
)


def policy_of(season: Season) -> SeasonHealthPolicy:
    """The season's settings, or the defaults when staff set none (never saved here)."""
    return _POLICY.first(season_id=season.pk) or SeasonHealthPolicy(season=season)


def health_form_url(*, person_id: int, season_id: int) -> str:
    return reverse("health:form", args=[person_id, season_id])


@dataclass(frozen=True)
class MissingHealthForm:
    person: Person
    season: Season

    @property
    def url(self) -> str:
        return health_form_url(person_id=self.person.pk, season_id=self.season.pk)


def missing_health_forms(
    *, family: Family, season: Season, persons: Iterable[Person] | None = None
) -> list[MissingHealthForm]:
    """Children whose health form must exist before checkout and does not, for one season.

    The checkout calls this with the children of the cart's lines in that season. Empty when
    the season asks for the form only before the first day. Scoped to the family: a person of
    another family is ignored.
    """
    if policy_of(season).health_form != SeasonHealthPolicy.Requirement.BEFORE_CHECKOUT:
        return []
    children = Person.objects.filter(family=family, relationship=Person.Relationship.CHILD)
    if persons is not None:
        children = children.filter(pk__in=[p.pk for p in persons])
    children = children.exclude(health_forms__season=season).order_by("first_name", "pk")
    return [MissingHealthForm(person=child, season=season) for child in children]


def missing_forms_message(missing: Iterable[MissingHealthForm]) -> SafeString:
    """« Remplissez la fiche santé de Léa (Été 2027) avant de payer. », with links."""
    links = format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        (
            (item.url, _("%(child)s (%(season)s)") % {"child": item.person, "season": item.season})
            for item in missing
        ),
    )
    return format_html(_("Fill in the health form before paying: {}."), links)


@dataclass
class ChildHealth:
    person: Person
    season: Season
    form: HealthForm | None
    accompaniment: AccompanimentRequest | None


@dataclass
class HealthFile:
    """« Mon dossier »: each child's health form and accompaniment per current season."""

    rows: list[ChildHealth] = field(default_factory=list)

    @property
    def forms_complete(self) -> bool:
        return bool(self.rows) and all(row.form is not None for row in self.rows)


def family_health_file(*, family: Family, now: datetime | None = None) -> HealthFile:
    seasons = list(current_seasons(now=now))
    children = list(family.persons.filter(relationship=Person.Relationship.CHILD))
    forms = {
        (f.person_id, f.season_id): f
        for f in HealthForm.objects.filter(person__in=children, season__in=seasons)
    }
    requests = {
        (r.person_id, r.season_id): r
        for r in AccompanimentRequest.objects.filter(person__in=children, season__in=seasons)
    }
    return HealthFile(
        rows=[
            ChildHealth(
                person=child,
                season=season,
                form=forms.get((child.pk, season.pk)),
                accompaniment=requests.get((child.pk, season.pk)),
            )
            for season in seasons
            for child in children
        ]
    )


def previous_form(*, person: Person, season: Season) -> HealthForm | None:
    """The child's most recent form from another season: offered to copy."""
    return (
        HealthForm.objects.filter(person=person)
        .exclude(season=season)
        .order_by("-season__opens_at", "-signed_at")
        .prefetch_related("contacts")
        .first()
    )


@dataclass(frozen=True)
class HealthFlags:
    """What a monitor must see on a child at a glance."""

    form: HealthForm | None
    accompaniment: bool

    @property
    def has_form(self) -> bool:
        return self.form is not None

    @property
    def allergy(self) -> bool:
        return self.form is not None and self.form.has_allergy

    @property
    def severe(self) -> bool:
        return self.form is not None and self.form.allergy_severity == "severe"

    @property
    def epinephrine(self) -> bool:
        return self.form is not None and self.form.epinephrine


def health_flags(*, person_ids: Iterable[int], season: Season) -> dict[int, HealthFlags]:
    """Flags of many children for one season, in two queries (rosters, attendance)."""
    person_ids = list(person_ids)
    forms = {
        f.person_id: f
        for f in HealthForm.objects.filter(person_id__in=person_ids, season=season)
        .defer("health_insurance_number")
        .prefetch_related("contacts")
    }
    accepted = set(
        AccompanimentRequest.objects.filter(
            person_id__in=person_ids, season=season, status=AccompanimentRequest.Status.ACCEPTED
        ).values_list("person_id", flat=True)
    )
    return {pk: HealthFlags(form=forms.get(pk), accompaniment=pk in accepted) for pk in person_ids}
