"""Children's data stays private: no-store on signed-in pages, a Permissions-Policy, bounded
free text, and an address change that sends residency back to review."""

import pytest
from django import forms
from django.urls import reverse

from accounts import forms as account_forms
from accounts.models import Family
from activities import forms as activity_forms
from portal.models import OutgoingEmail
from registrations.models import Order, Registration
from tests import factories
from tests.registrations.helpers import paid_order

pytestmark = pytest.mark.django_db


def test_signed_in_pages_are_never_stored(parent_client):
    for url in (reverse("accounts:dossier"), reverse("registrations:cart"), "/"):
        cache_control = parent_client.get(url)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, url


def test_public_pages_for_visitors_may_be_cached(client):
    assert "no-store" not in client.get(reverse("activities:catalogue")).get("Cache-Control", "")


def test_every_page_carries_a_permissions_policy(client, parent_client):
    for response in (client.get("/"), parent_client.get(reverse("accounts:dossier"))):
        assert "camera=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]


FORMS = [
    account_forms.FamilySignupForm,
    account_forms.FamilyForm,
    account_forms.PersonForm,
    account_forms.RejectionForm,
    activity_forms.GroupAdminForm,
    activity_forms.GenerateGroupsForm,
    activity_forms.CatalogueFilterForm,
]


@pytest.mark.parametrize("form_class", FORMS, ids=lambda f: f.__name__)
def test_every_free_text_field_of_the_forms_has_a_maximum_length(form_class):
    form = form_class()
    unbounded = [
        name
        for name, field in form.fields.items()
        if type(field) in (forms.CharField, forms.EmailField) and field.max_length is None
    ]
    assert unbounded == []


def _person_data(**overrides) -> dict:
    return {
        "first_name": "Léa",
        "last_name": "Tremblay",
        "birth_date": "2019-03-15",
        "relationship": "child",
        "allergies": "",
        "medical_notes": "",
        "authorized_pickups": "",
        **overrides,
    }


def test_an_over_long_health_note_is_a_form_error_and_nothing_is_saved(parent_client, family):
    before = family.persons.count()

    response = parent_client.post(
        reverse("accounts:add_person"), _person_data(medical_notes="x" * 2001)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["medical_notes"]
    assert family.persons.count() == before


def test_a_two_megabyte_paste_is_refused_without_a_server_error(parent_client, family):
    before = family.persons.count()

    response = parent_client.post(
        reverse("accounts:add_person"), _person_data(allergies="x" * 2_300_000)
    )

    assert response.status_code == 400
    assert family.persons.count() == before


def _family_data(family: Family, **overrides) -> dict:
    fields = ("guardian_first_name", "guardian_last_name", "second_guardian_name", "address")
    fields += ("city", "postal_code", "phone", "preferred_language")
    return {**{name: getattr(family, name) for name in fields}, **overrides}


def test_a_resident_family_that_moves_goes_back_to_review_and_staff_are_told(parent_client, family):
    order = paid_order(family=family, items=[(family.persons.first(), [factories.GroupFactory()])])

    response = parent_client.post(
        reverse("accounts:edit_family"), _family_data(family, address="9 chemin du Lac")
    )
    assert response.status_code == 302, response.context["form"].errors

    family.refresh_from_db()
    order.refresh_from_db()
    assert family.is_resident is False and family.residency_review_since is not None
    assert OutgoingEmail.objects.filter(kind="family_residency_review").exists()
    assert order.status == Order.Status.PAID  # what was paid stays paid
    assert order.registrations.get().status == Registration.Status.CONFIRMED


def test_a_new_phone_number_keeps_the_residency(parent_client, family):
    parent_client.post(reverse("accounts:edit_family"), _family_data(family, phone="819 555-0999"))

    family.refresh_from_db()
    assert family.is_resident and family.residency_review_since is None


def test_accueil_confirms_the_residency_after_checking_the_address(client, parent_client, family):
    parent_client.post(
        reverse("accounts:edit_family"), _family_data(family, address="9 chemin du Lac")
    )
    client.force_login(factories.ClerkFactory(roles=["Accueil"]))

    client.post(
        reverse("admin:accounts_family_changelist"),
        {"action": "confirm_residency", "_selected_action": [family.pk]},
    )

    family.refresh_from_db()
    assert family.is_resident and family.residency_review_since is None
