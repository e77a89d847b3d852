"""Every staff look at medical data is on record; a role without the permission sees none."""

import pytest
from django.urls import reverse

from health.models import MedicalAccessLog
from tests import factories
from tests.health.factories import HealthFormFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def child():
    return factories.PersonFactory(allergies="Arachides", medical_notes="Asthme")


def test_opening_a_childs_medical_notes_in_the_admin_writes_one_entry(client, child):
    monitor = factories.ClerkFactory(roles=["Inscriptions"])
    client.force_login(monitor)

    page = client.get(reverse("admin:health_childmedicalnotes_change", args=[child.pk]))

    assert "Arachides" in page.content.decode()
    entry = MedicalAccessLog.objects.get()
    assert (entry.user, entry.person, entry.kind) == (monitor, child, "medical_notes")


def test_opening_a_health_form_writes_one_entry(client):
    form = HealthFormFactory()
    client.force_login(factories.ClerkFactory(roles=["Administration"]))

    client.get(reverse("admin:health_healthform_change", args=[form.pk]))

    assert MedicalAccessLog.objects.filter(kind="health_form", person=form.person).count() == 1


def test_downloading_a_roster_with_medical_columns_writes_one_entry(client, child):
    registration = factories.RegistrationFactory(person=child, order__family=child.family)
    client.force_login(factories.ClerkFactory(roles=["Inscriptions"]))

    url = reverse("registrations:roster_csv", args=[registration.group_id])
    assert not MedicalAccessLog.objects.exists() and client.get(url).status_code == 200
    csv = client.post(url, {"export_reason": "Liste pour la sortie au parc"})

    assert "Arachides" in csv.content.decode()
    entry = MedicalAccessLog.objects.get(kind="roster", person=child)
    assert entry.reason == "Liste pour la sortie au parc"


def test_printing_an_attendance_sheet_writes_one_entry(client, child):
    from django.contrib.auth.models import Permission

    registration = factories.RegistrationFactory(person=child, order__family=child.family)
    monitor = factories.StaffFactory()
    monitor.user_permissions.add(Permission.objects.get(codename="take_attendance"))
    client.force_login(monitor)

    url = reverse("camp:sheet_pdf", args=[registration.group_id])
    response = client.get(url, {"reason": "Journée sans réseau"})

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    entry = MedicalAccessLog.objects.get(kind="attendance", person=child)
    assert entry.reason == "Journée sans réseau"


@pytest.mark.parametrize("role", ["Accueil", "Finances", "Animation"])
def test_a_role_without_the_permission_sees_no_medical_field(client, child, role):
    registration = factories.RegistrationFactory(person=child, order__family=child.family)
    client.force_login(factories.ClerkFactory(roles=[role]))

    family_page = client.get(reverse("admin:accounts_family_change", args=[child.family_id]))
    notes = client.get(reverse("admin:health_childmedicalnotes_change", args=[child.pk]))
    roster = client.get(reverse("registrations:roster_csv", args=[registration.group_id]))

    assert "Arachides" not in family_page.content.decode()
    assert notes.status_code == 403
    assert roster.status_code == 403 or "Arachides" not in roster.content.decode()
    assert not MedicalAccessLog.objects.exists()


def test_the_access_log_is_readable_by_administration_only(client):
    url = reverse("admin:health_medicalaccesslog_changelist")
    for role, code in [("Administration", 200), ("Animation", 403), ("Accueil", 403)]:
        client.force_login(factories.ClerkFactory(roles=[role]))
        assert client.get(url).status_code == code, role


def test_the_incident_register_is_kept_by_administration(client):
    client.force_login(factories.ClerkFactory(roles=["Administration"]))
    response = client.post(
        reverse("admin:privacy_incident_add"),
        {
            "occurred_at_0": "2027-07-02",
            "occurred_at_1": "10:00",
            "discovered_at_0": "2027-07-03",
            "discovered_at_1": "09:00",
            "nature": "Liste de groupe oubliée dans un autobus",
            "information_concerned": "Noms, allergies",
            "persons_affected": "14 enfants du groupe 3",
            "risk": "serious",
            "risk_assessment": "Données de santé d'enfants",
        },
    )
    assert response.status_code == 302
    from privacy.models import Incident

    assert Incident.objects.get().persons_affected == "14 enfants du groupe 3"
    client.force_login(factories.ClerkFactory(roles=["Finances"]))
    assert client.get(reverse("admin:privacy_incident_changelist")).status_code == 403
