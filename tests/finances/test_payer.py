"""The RL-24 payer: the social insurance number checked (Luhn), stored encrypted, shown
masked, in clear only to « Finances » and on the slip; never in logs, emails or exports."""

import logging

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from finances.models import PayerInfo
from finances.validators import validate_sin
from portal.models import OutgoingEmail
from privacy.services.closure import close_account
from privacy.services.exports import collect_family_data
from tests import factories
from tests.registrations.helpers import paid_order, text

from .helpers import SIN, payer_for

pytestmark = pytest.mark.django_db

FORM = {
    "first_name": "Marie",
    "last_name": "Tremblay",
    "address": "12 rue des Érables",
    "city": "Saint-Exemple",
    "postal_code": "J1H 2K3",
}


@pytest.mark.parametrize("number", ["046 454 286", "046-454-286", "046454286"])
def test_a_valid_number_passes_whatever_its_spacing(number):
    validate_sin(number)


@pytest.mark.parametrize("number", ["046454287", "12345678", "04645428a", "0464542860"])
def test_a_wrong_number_is_refused(number):
    with pytest.raises(ValidationError) as error:
        validate_sin(number)
    assert error.value.code == "invalid_sin"


def test_a_wrong_check_digit_gets_a_clear_message_in_french_and_english(parent_client):
    url = reverse("finances:tax_slips")
    response = parent_client.post(url, {**FORM, "sin": "046 454 287"})
    assert response.status_code == 200
    page = text(response)
    assert "numéro d'assurance sociale valide" in page
    assert "046 454 287" not in page  # the number typed is not sent back
    english = text(
        parent_client.post(url, {**FORM, "sin": "046454287"}, headers={"accept-language": "en"})
    )
    assert "valid social insurance number" in english
    assert not PayerInfo.objects.exists()


def test_the_number_is_encrypted_in_the_database(family):
    payer = payer_for(family)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sin FROM finances_payerinfo WHERE id = %s", [payer.pk])
        (raw,) = cursor.fetchone()
    assert raw and SIN not in raw and "454" not in raw
    assert PayerInfo.objects.get(pk=payer.pk).sin == SIN


def test_saving_shows_the_number_masked_and_never_logs_or_emails_it(
    parent_client, family, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        response = parent_client.post(reverse("finances:tax_slips"), {**FORM, "sin": "046 454 286"})
    assert response.status_code == 302
    assert PayerInfo.objects.get(family=family).sin == SIN
    for url in (reverse("finances:tax_slips"), reverse("accounts:dossier")):
        page = text(parent_client.get(url))
        assert "••••••286" in page
        assert SIN not in page and "046 454 286" not in page
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert SIN not in logged and "046 454 286" not in logged
    bodies = [e.body_text + e.body_html + e.subject for e in OutgoingEmail.objects.all()]
    bodies += [m.body for m in mail.outbox]
    assert not any(SIN in b or "046 454 286" in b for b in bodies)


def test_a_blank_number_keeps_the_one_on_file(parent_client, family):
    payer_for(family)
    response = parent_client.post(reverse("finances:tax_slips"), {**FORM, "city": "Magog"})
    assert response.status_code == 302
    payer = PayerInfo.objects.get(family=family)
    assert payer.city == "Magog" and payer.sin == SIN


def test_the_privacy_export_shows_the_number_masked_even_to_the_family(family):
    payer_for(family)
    data = collect_family_data(family=family, for_family=True)
    assert data["tax_payer"][0]["sin"] == "••••••286"
    assert SIN not in str(data)


def test_closing_an_account_keeps_a_paying_familys_payer_and_drops_the_others(family, lea, camp):
    paid_order(family=family, items=[(lea, [camp])])
    from registrations.models import Registration

    Registration.objects.update(week=camp.week)  # weeks are past only in the test's mind
    camp.week.starts_on = camp.week.ends_on = camp.week.starts_on.replace(year=2020)
    camp.week.save()
    payer_for(family)
    close_account(family=family)
    assert PayerInfo.objects.filter(family=family).exists()  # tax record: slips to issue

    unpaid = factories.FamilyFactory()
    payer_for(unpaid)
    close_account(family=unpaid)
    assert not PayerInfo.objects.filter(family=unpaid).exists()


def test_the_admin_masks_the_number_except_for_finances(client, family):
    from django.contrib.auth.models import Permission

    payer = payer_for(family)
    url = reverse("admin:finances_payerinfo_change", args=[payer.pk])
    viewer = factories.ClerkFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_payerinfo"))
    client.force_login(viewer)
    page = text(client.get(url))
    assert "••••••286" in page and "046 454 286" not in page
    client.force_login(factories.ClerkFactory(roles=["Finances"]))
    assert "046 454 286" in text(client.get(url))
