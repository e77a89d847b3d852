"""The health form: filled by the family, signed, encrypted, scoped, required before checkout."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from health.models import HEALTH_CONSENTS, HealthForm, SeasonHealthPolicy
from health.selectors import missing_forms_message, missing_health_forms
from portal.models import OutgoingEmail
from tests.factories import FamilyFactory, PersonFactory, SeasonFactory, WeekFactory

from .factories import EmergencyContactFactory, HealthFormFactory, SeasonHealthPolicyFactory

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict:
    data = {
        "contacts-TOTAL_FORMS": "3",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "2",
        "contacts-MAX_NUM_FORMS": "4",
        "contacts-0-name": "Jean Tremblay",
        "contacts-0-relationship": "Père",
        "contacts-0-phone": "819 555-0111",
        "contacts-1-name": "Lise Gagnon",
        "contacts-1-relationship": "Grand-mère",
        "contacts-1-phone": "819 555-0122",
        "insurance_number": "trem 1234 5678",
        "allergies": "Arachides",
        "allergy_severity": "severe",
        "epinephrine": "on",
        "medications": "",
        "conditions": "",
        "swimming": "with_aid",
        "consent_photos": "no",
        "consent_sunscreen": "yes",
        "consent_first_aid": "yes",
        "consent_leave_alone": "no",
        "signed_by": "Marie Tremblay",
        "certify": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def season(db):
    season = SeasonFactory()
    WeekFactory(season=season, number=1, starts_on=date.today() + timedelta(days=30))
    return season


@pytest.fixture
def child(family):
    return family.persons.get(first_name="Léa")


def url(child, season) -> str:
    return reverse("health:form", args=[child.pk, season.pk])


def test_family_fills_the_form_and_consents_are_recorded_with_who_and_when(
    parent_client, family, child, season
):
    before = timezone.now()

    response = parent_client.post(url(child, season), form_data())

    assert response.status_code == 302
    form = HealthForm.objects.get(person=child, season=season)
    assert (form.consent_photos, form.consent_sunscreen, form.consent_leave_alone) == (
        False,
        True,
        False,
    )
    assert form.signed_by == "Marie Tremblay"
    assert form.signed_by_user == family.user
    assert form.signed_at >= before
    assert form.epinephrine and form.allergy_severity == "severe"
    assert [c.name for c in form.contacts.all()] == ["Jean Tremblay", "Lise Gagnon"]


def test_insurance_number_is_encrypted_at_rest_and_shown_masked(parent_client, child, season):
    parent_client.post(url(child, season), form_data())
    form = HealthForm.objects.get(person=child, season=season)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT health_insurance_number FROM health_healthform WHERE id = %s", [form.pk]
        )
        stored = cursor.fetchone()[0]
    page = parent_client.get(url(child, season)).content.decode()

    assert form.health_insurance_number == "TREM12345678"
    assert "TREM" not in stored and "12345678" not in stored
    assert "TREM12345678" not in page and "TREM 1234" not in page
    assert "5678" in page  # the masked number, last digits only


def test_leaving_the_number_empty_keeps_the_stored_one(parent_client, child, season):
    parent_client.post(url(child, season), form_data())
    parent_client.post(url(child, season), form_data(insurance_number=""))

    assert HealthForm.objects.get(person=child).health_insurance_number == "TREM12345678"


def test_fewer_than_two_emergency_contacts_is_refused(parent_client, child, season):
    response = parent_client.post(
        url(child, season),
        form_data(**{"contacts-1-name": "", "contacts-1-relationship": "", "contacts-1-phone": ""}),
    )

    assert response.status_code == 200
    assert not HealthForm.objects.exists()


def test_a_consent_must_be_answered_explicitly(parent_client, child, season):
    data = form_data()
    del data["consent_photos"]

    response = parent_client.post(url(child, season), data)

    assert response.status_code == 200
    assert not HealthForm.objects.exists()


def test_bad_insurance_number_is_a_form_error(parent_client, child, season):
    response = parent_client.post(url(child, season), form_data(insurance_number="123"))

    assert response.status_code == 200
    assert not HealthForm.objects.exists()


def test_another_familys_form_is_404(client, child, season):
    HealthFormFactory(person=child, season=season)
    stranger = FamilyFactory()
    client.force_login(stranger.user)

    assert client.get(url(child, season)).status_code == 404
    assert client.post(url(child, season), form_data()).status_code == 404
    assert HealthForm.objects.get(person=child).signed_by == "Marie Tremblay"


@pytest.mark.parametrize("person_id", ["abc", "0", str(10**30)])
def test_junk_ids_are_404(parent_client, season, person_id):
    response = parent_client.get(f"/dossier/sante/{person_id}/{season.pk}/")

    assert response.status_code == 404


def test_last_years_form_is_offered_to_copy(parent_client, child, season):
    last_year = SeasonFactory(
        opens_at=timezone.now() - timedelta(days=400),
        opens_at_nonresident=timezone.now() - timedelta(days=399),
        closes_at=timezone.now() - timedelta(days=300),
    )
    old = HealthFormFactory(
        person=child, season=last_year, allergies="Pollen", allergy_severity="mild"
    )
    EmergencyContactFactory(form=old, name="Grand-papa Roy")

    response = parent_client.get(url(child, season))
    page = response.content.decode()

    assert "Pollen" in page and "Grand-papa Roy" in page
    assert last_year.name in page
    # The health facts come back; last year's consents are given again, never copied.
    initial = response.context["form"].initial
    assert initial["allergy_severity"] == "mild"
    assert all(initial.get(name) is None for name in HEALTH_CONSENTS)


def test_a_change_after_the_season_started_notifies_the_clerks(parent_client, child, season):
    season.weeks.update(starts_on=date.today() - timedelta(days=1))

    parent_client.post(url(child, season), form_data())

    email = OutgoingEmail.objects.get(kind="health_form_changed")
    assert email.to == "loisirs@example.org"
    assert child.first_name in email.subject


def test_a_form_before_the_season_starts_notifies_nobody(parent_client, child, season):
    parent_client.post(url(child, season), form_data())

    assert not OutgoingEmail.objects.filter(kind="health_form_changed").exists()


def test_dossier_lists_the_form_to_fill_in_the_checklist(parent_client, child, season):
    page = parent_client.get(reverse("accounts:dossier")).content.decode()

    assert url(child, season) in page
    assert "Une fiche santé pour chaque enfant" in page


# --- The function the checkout calls ---------------------------------------------------------


def test_required_before_checkout_season_lists_children_without_a_form_with_a_link(
    family, child, season
):
    SeasonHealthPolicyFactory(
        season=season, health_form=SeasonHealthPolicy.Requirement.BEFORE_CHECKOUT
    )

    missing = missing_health_forms(family=family, season=season, persons=[child])
    message = str(missing_forms_message(missing))

    assert [m.person for m in missing] == [child]
    assert f'href="{url(child, season)}"' in message
    assert "fiche santé" in message


def test_signed_form_no_longer_blocks_checkout(family, child, season):
    SeasonHealthPolicyFactory(
        season=season, health_form=SeasonHealthPolicy.Requirement.BEFORE_CHECKOUT
    )
    HealthFormFactory(person=child, season=season)

    assert missing_health_forms(family=family, season=season, persons=[child]) == []


def test_before_first_day_season_never_blocks_checkout(family, child, season):
    SeasonHealthPolicyFactory(season=season)  # the default: before the first day

    assert missing_health_forms(family=family, season=season) == []


def test_another_familys_child_is_ignored_by_the_checkout_check(family, season):
    SeasonHealthPolicyFactory(
        season=season, health_form=SeasonHealthPolicy.Requirement.BEFORE_CHECKOUT
    )
    stranger = PersonFactory()

    assert missing_health_forms(family=family, season=season, persons=[stranger]) == []


def test_a_required_health_form_blocks_checkout_with_a_link_until_it_is_signed(
    family, child, season
):
    from django.test import Client

    from activities.models import Group
    from registrations import services
    from registrations.models import Order
    from tests.factories import ActivityFactory

    SeasonHealthPolicyFactory(
        season=season, health_form=SeasonHealthPolicy.Requirement.BEFORE_CHECKOUT
    )
    week = WeekFactory(season=season)
    camp = Group.objects.create(
        activity=ActivityFactory(),
        week=week,
        capacity=5,
        price_resident=185,
        price_nonresident=260,
        min_age=0,
        max_age=99,
    )
    services.add_to_cart(family=family, person=child, groups=[camp])
    client = Client()
    client.force_login(family.user)

    page = client.post(reverse("registrations:checkout"), follow=True).content.decode()

    assert not Order.objects.exists()
    assert f'href="{url(child, season)}"' in page
    HealthFormFactory(person=child, season=season)
    assert services.checkout(family=family).order is not None
