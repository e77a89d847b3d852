"""The family file ("Mon dossier"): thin views over accounts.services."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.emails import family_emails, resend_to_family

from . import services
from .forms import FamilyForm, PersonForm, PrivacyPolicyForm
from .gate import current_family, family_required
from .models import Person
from .selectors import family_readiness


def pending(request: HttpRequest) -> HttpResponse:
    """Where sign-up and email verification land: the administration approves accounts."""
    return render(request, "accounts/pending.html", {"family": current_family(request)})


@family_required
@require_http_methods(["GET", "POST"])
def accept_policy(request: HttpRequest) -> HttpResponse:
    """A new version of the privacy policy: accepted once, then back where the family was."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = PrivacyPolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.accept_privacy_policy(family=request.family)
        messages.success(request, _("Thank you: you accepted the privacy policy."))
        return redirect(next_url or "accounts:dossier")
    return render(request, "accounts/accept_policy.html", {"form": form, "next": next_url})


@family_required
def dossier(request: HttpRequest) -> HttpResponse:
    family = request.family
    return render(
        request,
        "accounts/dossier.html",
        {
            "family": family,
            "readiness": family_readiness(family=family),
            "persons": family.persons.all(),
            "emails": family_emails(address=family.user.email),
        },
    )


@family_required
@require_POST
def resend_email(request: HttpRequest, email_id: int) -> HttpResponse:
    """« Renvoyer »: a copy of a confirmation or an offer (rate-limited in the service)."""
    resend_to_family(email_id=email_id, address=request.family.user.email)
    messages.success(
        request,
        _("The email was sent again. If it does not arrive, look in your junk mail folder."),
    )
    return redirect(reverse("accounts:dossier") + "#emails-title")


@family_required
@require_http_methods(["GET", "POST"])
def edit_family(request: HttpRequest) -> HttpResponse:
    form = FamilyForm(request.POST or None, instance=request.family)
    if request.method == "POST" and form.is_valid():
        under_review = request.family.residency_review_since
        family = services.update_family(family=request.family, data=form.cleaned_data)
        messages.success(request, _("Your family file was saved."))
        if family.residency_review_since and family.residency_review_since != under_review:
            messages.info(
                request,
                _(
                    "Your address changed: the administration will check your residency. Until "
                    "then, non-resident prices apply to new registrations; paid registrations "
                    "are not affected."
                ),
            )
        return redirect("accounts:dossier")
    return render(request, "accounts/family_form.html", {"form": form, "family": request.family})


@family_required
@require_http_methods(["GET", "POST"])
def add_person(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = services.add_person(family=request.family, data=form.cleaned_data)
        messages.success(request, _("%(name)s was added to your file.") % {"name": person})
        return redirect("accounts:dossier")
    return render(request, "accounts/person_form.html", {"form": form, "person": None})


@family_required
@require_http_methods(["GET", "POST"])
def edit_person(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _own_person(request, person_id)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        services.update_person(person=person, data=form.cleaned_data)
        messages.success(request, _("%(name)s was saved.") % {"name": person})
        return redirect("accounts:dossier")
    return render(request, "accounts/person_form.html", {"form": form, "person": person})


@family_required
@require_http_methods(["GET", "POST"])
def remove_person(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _own_person(request, person_id)
    if request.method == "POST":
        name = str(person)
        try:
            services.remove_person(person=person)
        except services.PersonInUse:
            messages.error(
                request,
                _(
                    "%(name)s has registrations and cannot be removed. Contact the recreation "
                    "department."
                )
                % {"name": name},
            )
        else:
            messages.success(request, _("%(name)s was removed from your file.") % {"name": name})
        return redirect("accounts:dossier")
    return render(request, "accounts/person_confirm_remove.html", {"person": person})


def _own_person(request: HttpRequest, person_id: int) -> Person:
    """Another family's person answers 404, never 403: its existence is not disclosed."""
    return get_object_or_404(Person, pk=person_id, family=request.family)
