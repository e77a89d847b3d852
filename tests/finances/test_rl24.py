"""The Relevé 24 of a year: amounts paid in the year per payer and child, net of refunds,
childcare only (transport left out), days of care; the family's PDF from the release date."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from finances.models import Rl24Release
from finances.rl24 import family_slip, rl24_slips
from registrations.models import Payment, Registration
from registrations.services import family_cancellation
from tests import factories
from tests.registrations.helpers import paid_order, pay, text
from waitlist.services import join_waitlist, offer_place

from .helpers import at, dated, payer_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_children_paid_in_december(season, family, lea, noah, camp, daycare, transport):
    """Léa: camp 185 + daycare 40 + bike transport 25; Noah: camp 185. Paid 15 Dec 2026."""
    season.refund_admin_fee = Decimal("15.00")
    season.save()
    order = paid_order(family=family, items=[(lea, [camp, daycare, transport]), (noah, [camp])])
    dated(order.payments.all(), at(2026, 12, 15))
    return order


def by_name(slip):
    return {c.person.first_name: c for c in slip.children}


def test_two_children_transport_left_out_and_days_of_care(family, two_children_paid_in_december):
    slip = family_slip(family=family, year=2026)
    children = by_name(slip)
    assert children["Léa"].paid == Decimal("225.00")  # 185 + 40: transport is not childcare
    assert children["Noah"].paid == Decimal("185.00")
    assert children["Léa"].days == 5 and children["Noah"].days == 5  # camp + daycare: same days
    assert slip.paid == Decimal("410.00") and slip.not_eligible == 0
    assert slip.eligible == Decimal("410.00")
    assert family_slip(family=family, year=2027) is None  # nothing paid in 2027


def test_a_refund_is_taken_off_the_year_of_the_payment_it_gives_back(
    family, noah, two_children_paid_in_december
):
    line = two_children_paid_in_december.registrations.get(person=noah)
    family_cancellation.cancel_by_family(family=family, registration_id=line.pk, by=family.user)
    refund = Payment.objects.get(kind=Payment.Kind.REFUND)
    dated([refund], at(2027, 1, 20))  # given back the next January
    children = by_name(family_slip(family=family, year=2026))
    assert children["Noah"].paid == Decimal("15.00")  # 185 paid, 170 back: the fee was kept
    assert children["Noah"].days == 0  # the week was cancelled: no care
    assert children["Léa"].paid == Decimal("225.00")
    assert family_slip(family=family, year=2027) is None


def test_a_refund_after_the_release_makes_the_slip_amended(
    family, noah, two_children_paid_in_december
):
    Rl24Release.objects.create(year=2026, available_from=date(2027, 2, 1))
    assert family_slip(family=family, year=2026).code == "R"
    line = two_children_paid_in_december.registrations.get(person=noah)
    family_cancellation.cancel_by_family(family=family, registration_id=line.pk, by=family.user)
    dated(Payment.objects.filter(kind=Payment.Kind.REFUND), at(2027, 3, 5))
    assert family_slip(family=family, year=2026).code == "A"


def test_a_late_offer_counts_in_the_year_it_is_paid(
    family, noah, week2, two_children_paid_in_december
):
    full = factories.GroupFactory(week=week2, capacity=1)  # camp of week 2, taken
    other = factories.RegistrationFactory(group=full, status=Registration.Status.CONFIRMED)
    entry = join_waitlist(family=family, person=noah, group=full)
    Registration.objects.filter(pk=other.pk).update(status=Registration.Status.CANCELLED)
    offer = offer_place(entry=entry)  # offered in December...
    pay(offer)  # ...paid in January
    dated(offer.payments.all(), at(2027, 1, 8))
    assert by_name(family_slip(family=family, year=2026))["Noah"].paid == Decimal("185.00")
    slip_2027 = family_slip(family=family, year=2027)
    assert [(c.person.first_name, c.paid, c.days) for c in slip_2027.children] == [
        ("Noah", Decimal("185.00"), 5)
    ]


def test_each_family_has_its_own_slip_and_payer(family, lea, camp, two_children_paid_in_december):
    other = factories.FamilyFactory()
    child = factories.PersonFactory(family=other, first_name="Zoé")
    order = paid_order(family=other, items=[(child, [camp])])
    dated(order.payments.all(), at(2026, 6, 1))
    payer_for(family)
    slips = rl24_slips(year=2026)
    assert [(s.family, s.payer is not None, s.paid) for s in slips] == [
        (family, True, Decimal("410.00")),
        (other, False, Decimal("185.00")),
    ]


def test_before_the_release_date_the_page_says_when(
    parent_client, family, two_children_paid_in_december
):
    payer_for(family)
    Rl24Release.objects.create(year=2026, available_from=date(2099, 2, 15))
    page = text(parent_client.get(reverse("finances:tax_slips")))
    assert "2026 : disponible à partir du dimanche 15 février 2099" in page
    response = parent_client.get(reverse("finances:tax_slip_pdf", args=[2026]))
    assert response.status_code == 302


def test_from_the_release_date_the_family_downloads_its_slip(
    parent_client, family, two_children_paid_in_december
):
    payer_for(family)
    Rl24Release.objects.create(year=2026, available_from=date(2000, 1, 1))
    dossier = text(parent_client.get(reverse("accounts:dossier")))
    assert reverse("finances:tax_slip_pdf", args=[2026]) in dossier
    response = parent_client.get(reverse("finances:tax_slip_pdf", args=[2026]))
    assert response["Content-Type"] == "application/pdf"
    pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Relevé 24" in pdf and "410,00" in pdf and "046 454 286" in pdf
    assert "Léa" in pdf and "Noah" in pdf


def test_another_familys_year_is_not_downloadable(client, family, two_children_paid_in_december):
    Rl24Release.objects.create(year=2026, available_from=date(2000, 1, 1))
    stranger = factories.FamilyFactory()
    payer_for(stranger)
    client.force_login(stranger.user)
    response = client.get(reverse("finances:tax_slip_pdf", args=[2026]))
    assert response.status_code == 302  # nothing paid by this family: no slip
