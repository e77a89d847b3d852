"""Family side: the health form and the accompaniment request, from « Mon dossier »."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.gate import family_required
from accounts.models import Person
from activities.models import Season
from portal.parsing import to_id

from . import services
from .forms import AccompanimentForm, ContactFormSet, HealthFormForm
from .models import HEALTH_FACTS, AccompanimentRequest, HealthForm
from .selectors import current_seasons, policy_of, previous_form


def _child_and_season(request: HttpRequest, person_id, season_id) -> tuple[Person, Season]:
    """Another family's child, or a season not being prepared, is a 404."""
    person_id, season_id = to_id(person_id), to_id(season_id)
    if person_id is None or season_id is None:
        raise Http404
    person = get_object_or_404(
        Person, pk=person_id, family=request.family, relationship=Person.Relationship.CHILD
    )
    season = get_object_or_404(current_seasons(), pk=season_id)
    return person, season


@family_required
@require_http_methods(["GET", "POST"])
def health_form(request: HttpRequest, person_id: int, season_id: int) -> HttpResponse:
    person, season = _child_and_season(request, person_id, season_id)
    existing = HealthForm.objects.filter(person=person, season=season).first()
    copied_from = None
    initial: dict = {}
    contacts_initial: list[dict] = []
    source = existing
    if existing is None:
        copied_from = previous_form(person=person, season=season)
        source = copied_from
        if copied_from is not None:
            initial = {name: getattr(copied_from, name) for name in HEALTH_FACTS}
    if source is not None:
        contacts_initial = [
            {"name": c.name, "relationship": c.relationship, "phone": c.phone}
            for c in source.contacts.all()
        ]
    stored = source.health_insurance_number if source is not None else ""
    data = request.POST if request.method == "POST" else None
    form = HealthFormForm(data, instance=existing, initial=initial, stored_number=stored)
    contacts = ContactFormSet(data, initial=contacts_initial, prefix="contacts")
    if request.method == "POST" and form.is_valid() and contacts.is_valid():
        number = form.cleaned_data["insurance_number"]
        if number is None and existing is None and copied_from is not None:
            number = copied_from.health_insurance_number  # copied, still never shown
        services.save_health_form(
            person=person,
            season=season,
            data=form.cleaned_data,
            contacts=contacts.contacts(),
            insurance_number=number,
            by=request.user,
        )
        messages.success(
            request, _("The health form of %(name)s was saved and signed.") % {"name": person}
        )
        return redirect("accounts:dossier")
    return render(
        request,
        "health/health_form.html",
        {
            "form": form,
            "contacts": contacts,
            "person": person,
            "season": season,
            "existing": existing,
            "copied_from": copied_from,
            "policy": policy_of(season),
        },
    )


@family_required
@require_http_methods(["GET", "POST"])
def accompaniment(request: HttpRequest, person_id: int, season_id: int) -> HttpResponse:
    person, season = _child_and_season(request, person_id, season_id)
    existing = AccompanimentRequest.objects.filter(person=person, season=season).first()
    form = AccompanimentForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_accompaniment(
                person=person, season=season, needs=form.cleaned_data["needs"]
            )
        except services.HealthRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                _("The accompaniment request for %(name)s was sent.") % {"name": person},
            )
            return redirect("accounts:dossier")
    return render(
        request,
        "health/accompaniment_form.html",
        {
            "form": form,
            "person": person,
            "season": season,
            "existing": existing,
            "policy": policy_of(season),
        },
    )
