import pytest
from django.urls import reverse

from accounts.models import Person
from tests import factories

pytestmark = pytest.mark.django_db

PERSON = {
    "first_name": "Zoé",
    "last_name": "Gagnon",
    "birth_date": "2018-07-01",
    "relationship": "child",
    "allergies": "Arachides",
    "medical_notes": "",
    "authorized_pickups": "Luc Gagnon, oncle, 819 555-0111",
}


@pytest.fixture
def pending_client(client):
    family = factories.FamilyFactory(pending=True)
    client.force_login(family.user)
    client.family = family
    return client


def test_dossier_shows_the_checklist_with_approval_still_to_do(pending_client):
    response = pending_client.get(reverse("accounts:dossier"))

    readiness = response.context["readiness"]
    assert readiness.email_verified
    assert not readiness.approved
    assert not readiness.has_child
    assert "Ajouter une personne" in response.content.decode()


def test_checklist_is_complete_for_an_approved_family_with_a_child(parent_client):
    response = parent_client.get(reverse("accounts:dossier"))

    assert response.context["readiness"].complete


def test_pending_family_adds_edits_and_removes_a_person(pending_client):
    response = pending_client.post(reverse("accounts:add_person"), PERSON)
    assert response.status_code == 302
    person = Person.objects.get(family=pending_client.family)
    assert person.allergies == "Arachides"

    pending_client.post(
        reverse("accounts:edit_person", args=[person.pk]), {**PERSON, "allergies": ""}
    )
    person.refresh_from_db()
    assert person.allergies == ""

    pending_client.post(reverse("accounts:remove_person", args=[person.pk]))
    assert not Person.objects.filter(pk=person.pk).exists()


def test_a_birth_date_in_the_future_is_refused_with_a_message(pending_client):
    response = pending_client.post(
        reverse("accounts:add_person"), {**PERSON, "birth_date": "2999-01-01"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["birth_date"]
    assert not Person.objects.exists()


def test_rejected_family_can_still_edit_its_file(client):
    family = factories.FamilyFactory(rejected=True)
    client.force_login(family.user)
    data = {
        "guardian_first_name": "Marie",
        "guardian_last_name": "Tremblay",
        "second_guardian_name": "",
        "address": "1 rue Neuve",
        "city": "Saint-Exemple",
        "postal_code": "j1h 2k3",
        "phone": "819 555-0123",
        "preferred_language": "en",
    }

    response = client.post(reverse("accounts:edit_family"), data)

    assert response.status_code == 302
    family.refresh_from_db()
    assert family.address == "1 rue Neuve"
    assert family.postal_code == "J1H 2K3"


@pytest.mark.parametrize("view", ["accounts:edit_person", "accounts:remove_person"])
def test_another_familys_person_is_not_found(parent_client, view):
    stranger = factories.PersonFactory(first_name="Secret")

    read = parent_client.get(reverse(view, args=[stranger.pk]))
    write = parent_client.post(reverse(view, args=[stranger.pk]), PERSON)

    assert read.status_code == 404
    assert write.status_code == 404
    stranger.refresh_from_db()
    assert stranger.first_name == "Secret"


def test_a_person_with_registrations_is_kept_with_a_message(parent_client, family):
    registration = factories.RegistrationFactory(order__family=family)

    response = parent_client.post(
        reverse("accounts:remove_person", args=[registration.person.pk]), follow=True
    )

    assert Person.objects.filter(pk=registration.person.pk).exists()
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_anonymous_visitor_is_sent_to_login_from_the_dossier(client):
    response = client.get(reverse("accounts:dossier"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
