"""« Finances » exports: the year's RL-24 slips and the journal of payments and refunds,
as CSV whose cells cannot run as formulas; every other role gets a 403."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from registrations.models import Payment
from registrations.services import family_cancellation
from tests import factories
from tests.registrations.helpers import paid_order

from .helpers import SIN, at, dated, payer_for

pytestmark = pytest.mark.django_db


def rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("name", ["finances:rl24_export", "finances:journal"])
@pytest.mark.parametrize("role", ["Accueil", "Inscriptions", "Animation", "Administration"])
def test_staff_without_the_permission_get_a_403(client, name, role):
    client.force_login(factories.ClerkFactory(roles=[role]))
    assert client.get(reverse(name)).status_code == 403


def test_the_rl24_csv_has_the_number_in_clear_for_finances(client, family, lea, camp):
    order = paid_order(family=family, items=[(lea, [camp])])
    dated(order.payments.all(), at(2027, 2, 1))
    payer_for(family)
    client.force_login(factories.ClerkFactory(roles=["Finances"]))
    page = client.get(reverse("finances:rl24_export"), {"year": "2027"})
    assert page.status_code == 200 and SIN not in page.content.decode()  # the page masks it
    table = rows(client.get(reverse("finances:rl24_export"), {"year": "2027", "format": "csv"}))
    assert len(table) == 2
    header, line = table
    record = dict(zip(header, line, strict=True))
    assert record["Numéro d'assurance sociale"] == SIN
    assert record["Prénom de l'enfant"] == "Léa"
    assert record["Case C : frais de garde payés"] == "185.00"


def test_a_bad_year_is_a_clear_message_not_an_error(client):
    client.force_login(factories.ClerkFactory(roles=["Finances"]))
    response = client.get(reverse("finances:rl24_export"), {"year": "deux-mille"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()


def test_the_journal_has_one_row_per_money_movement_with_its_reference(
    client, family, lea, noah, camp, django_capture_on_commit_callbacks
):
    family.guardian_last_name = '=HYPERLINK("http://evil.example","x")'
    family.save()
    order = paid_order(family=family, items=[(lea, [camp]), (noah, [camp])])
    with django_capture_on_commit_callbacks(execute=True):  # the refund is sent
        family_cancellation.cancel_by_family(
            family=family, registration_id=order.registrations.get(person=noah).pk, by=family.user
        )
    client.force_login(factories.ClerkFactory(roles=["Finances"]))
    today = timezone.localdate()
    table = rows(
        client.get(
            reverse("finances:journal"),
            {
                "start": (today - timedelta(days=1)).isoformat(),
                "end": today.isoformat(),
                "format": "csv",
            },
        )
    )
    header, *lines = table
    assert header[:7] == ["Date", "Heure", "Type", "Reçu", "Commande", "Famille", "Montant"]
    charge, refund = (dict(zip(header, line, strict=True)) for line in lines)
    year = today.year
    assert charge["Reçu"] == f"R-{year}-000001" and charge["Montant"] == "370.00"
    assert (
        charge["Référence du fournisseur"] == Payment.objects.get(kind="charge").provider_reference
    )
    assert refund["Reçu"] == f"R-{year}-000002" and refund["Montant"] == "-185.00"
    assert charge["Commande"] == order.number
    assert charge["Famille"].startswith("'=HYPERLINK")  # neutralised: shown, never run


def test_the_journal_leaves_out_other_days(client, family, lea, camp):
    order = paid_order(family=family, items=[(lea, [camp])])
    dated(order.payments.all(), at(2027, 1, 5))
    client.force_login(factories.ClerkFactory(roles=["Finances"]))
    params = {"start": "2027-01-06", "end": "2027-01-31", "format": "csv"}
    assert len(rows(client.get(reverse("finances:journal"), params))) == 1  # the header only
    params["start"] = "2027-01-05"
    assert len(rows(client.get(reverse("finances:journal"), params))) == 2


def test_a_reversed_range_is_a_clear_message(client):
    client.force_login(factories.ClerkFactory(roles=["Finances"]))
    response = client.get(reverse("finances:journal"), {"start": "2027-02-01", "end": "2027-01-01"})
    assert response.status_code == 200
    assert "La date de fin précède la date de début." in response.content.decode()
