"""Portability: the family's whole file, nothing of another family, a link that expires."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from health.models import MedicalAccessLog
from portal.errors import DomainError
from privacy.models import DataExport
from privacy.services import request_export
from tests import factories
from tests.health.factories import HealthFormFactory

pytestmark = pytest.mark.django_db

KINDS = (
    "family",
    "persons",
    "health_forms",
    "orders",
    "registrations",
    "payments",
    "waitlist_entries",
    "emails",
)


def _export(client, django_capture_on_commit_callbacks) -> DataExport:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:request_export"))
    assert response.status_code == 302
    return DataExport.objects.get()


def test_the_export_holds_every_kind_of_record_and_nothing_of_another_family(
    parent_client, full_family, django_capture_on_commit_callbacks
):
    other = factories.PersonFactory(first_name="Autre", allergies="Chats")
    HealthFormFactory(person=other, health_insurance_number="AUTR99999999")
    export = _export(parent_client, django_capture_on_commit_callbacks)

    response = parent_client.get(reverse("privacy:download", args=[export.token, "json"]))
    data = json.loads(response.content)

    assert response["Content-Disposition"].startswith("attachment")
    assert all(data[kind] for kind in KINDS), [kind for kind in KINDS if not data[kind]]
    assert {"Léa", "Noah"} == {p["first_name"] for p in data["persons"]}
    assert data["health_forms"][0]["health_insurance_number"] == "TREM12345678"
    assert data["health_forms"][0]["emergency_contacts"][0]["name"] == "Grand-maman Gagnon"
    assert len(data["payments"]) == 2
    assert set(data["sections"]) >= set(KINDS)
    assert "Autre" not in response.content.decode() and "AUTR" not in response.content.decode()
    summary = parent_client.get(reverse("privacy:download", args=[export.token, "html"]))
    assert "Arachides" in summary.content.decode()


def test_another_family_cannot_use_the_link(
    client, full_family, django_capture_on_commit_callbacks
):
    stranger = factories.FamilyFactory()
    client.force_login(full_family.user)
    export = _export(client, django_capture_on_commit_callbacks)
    client.force_login(stranger.user)

    assert client.get(reverse("privacy:download", args=[export.token, "json"])).status_code == 404


def test_the_link_expires(parent_client, full_family, settings, django_capture_on_commit_callbacks):
    export = _export(parent_client, django_capture_on_commit_callbacks)
    url = reverse("privacy:download", args=[export.token, "json"])
    assert parent_client.get(url).status_code == 200

    DataExport.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert parent_client.get(url).status_code == 410


def test_a_staff_export_needs_a_reason_is_logged_and_masks_numbers(
    full_family, django_capture_on_commit_callbacks
):
    clerk = factories.ClerkFactory(roles=["Administration"])
    with pytest.raises(DomainError) as refused:
        request_export(family=full_family, by=clerk, reason="  ")
    assert refused.value.code == "reason_required"

    with django_capture_on_commit_callbacks(execute=True):
        export = request_export(family=full_family, by=clerk, reason="Demande écrite du 3 mai")

    logged = MedicalAccessLog.objects.filter(user=clerk, kind=MedicalAccessLog.Kind.FAMILY_EXPORT)
    assert logged.count() == full_family.persons.count()
    assert logged.first().reason == "Demande écrite du 3 mai"
    export.refresh_from_db()
    assert "TREM12345678" not in export.content_json and "5678" in export.content_json


def test_the_staff_export_page_asks_the_reason_and_only_the_requester_downloads(
    client, full_family, django_capture_on_commit_callbacks
):
    clerk = factories.ClerkFactory(roles=["Administration"])
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:privacy_dataexport_add"),
            {"family": full_family.pk, "reason": "Demande de la mère"},
        )
    assert response.status_code == 302
    export = DataExport.objects.get(by_staff=True)
    url = reverse("privacy:staff_download", args=[export.pk, "json"])
    assert client.get(url).status_code == 200

    client.force_login(factories.ClerkFactory(roles=["Administration"]))
    assert client.get(url).status_code == 404
    client.force_login(factories.ClerkFactory(roles=["Accueil"]))
    assert client.get(url).status_code == 403
