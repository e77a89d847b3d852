"""Every payment and every refund has a numbered receipt, as a page and as a PDF."""

import io
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from registrations.models import Payment, Receipt
from registrations.services import family_cancellation
from tests import factories

from .helpers import paid_order, sent_email, text


def pdf_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def receipt_pdf_url(receipt: Receipt) -> str:
    return reverse("registrations:receipt_pdf", args=[receipt.year, receipt.sequence])


def test_a_payment_and_its_refund_get_the_next_numbers_of_the_year(family, lea, camp):
    order = paid_order(family=family, items=[(lea, [camp])])
    family_cancellation.cancel_by_family(
        family=family, registration_id=order.registrations.get().pk, by=family.user
    )
    year = timezone.localdate().year
    receipts = list(Receipt.objects.order_by("sequence").select_related("payment"))
    assert [(r.number, r.payment.kind) for r in receipts] == [
        (f"R-{year}-000001", Payment.Kind.CHARGE),
        (f"R-{year}-000002", Payment.Kind.REFUND),
    ]


def test_the_receipt_pdf_names_the_town_payer_lines_reference_and_policy(
    parent_client, settings, family, lea, camp, daycare
):
    settings.MUNICIPALITY_NAME = "Ville de Saint-Exemple"
    order = paid_order(family=family, items=[(lea, [camp, daycare])])
    receipt = Receipt.objects.get()
    response = parent_client.get(receipt_pdf_url(receipt))
    assert response["Content-Type"] == "application/pdf"
    content = pdf_text(response)
    for expected in (
        "Ville de Saint-Exemple",
        receipt.number,
        family.guardian_last_name,
        lea.first_name,
        "Camp Aventure",
        "Service de garde",
        "Parc central",
        "225,00 $",  # the PDF text extracts the no-break space as a space
        order.payments.get().provider_reference,
        "Aucune taxe",
        "frais d'administration",
    ):
        assert expected in content, expected


def test_configured_taxes_are_shown_as_included(parent_client, settings, family, lea, camp):
    settings.RECEIPT_TAXES = [("TPS", "5", "123456789RT0001")]
    paid_order(family=family, items=[(lea, [camp])])
    page = parent_client.get(reverse("registrations:receipt", args=[Receipt.objects.get().year, 1]))
    # 185 $ taxes included: 176,19 $ + 8,81 $ of GST.
    assert "8,81\xa0$" in text(page) and "123456789RT0001" in text(page)


def test_the_dossier_lists_the_receipts_and_the_email_links_to_its_pdf(
    parent_client, family, lea, camp
):
    paid_order(family=family, items=[(lea, [camp])])
    receipt = Receipt.objects.get()
    assert receipt_pdf_url(receipt) in text(parent_client.get(reverse("accounts:dossier")))
    email = sent_email("order_confirmation")
    assert receipt_pdf_url(receipt) in email.body_text


def test_a_family_cannot_see_another_familys_receipt(client, family, lea, camp):
    paid_order(family=family, items=[(lea, [camp])])
    receipt = Receipt.objects.get()
    client.force_login(factories.FamilyFactory().user)
    assert client.get(receipt_pdf_url(receipt)).status_code == 404
    page = reverse("registrations:receipt", args=[receipt.year, receipt.sequence])
    assert client.get(page).status_code == 404


def test_a_zero_trace_has_no_receipt(family, lea):
    soon = timezone.localdate() + timezone.timedelta(days=2)
    week = factories.WeekFactory(number=9, starts_on=soon, ends_on=soon)
    order = paid_order(family=family, items=[(lea, [factories.GroupFactory(week=week)])])
    family_cancellation.cancel_by_family(
        family=family, registration_id=order.registrations.get().pk, by=family.user
    )
    trace = Payment.objects.get(kind=Payment.Kind.REFUND)
    assert trace.amount == Decimal("0")
    assert not Receipt.objects.filter(payment=trace).exists()
