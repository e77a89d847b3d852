import csv
import io

from django.urls import reverse

from portal.models import OutgoingEmail
from registrations import services
from registrations.models import Order, Registration
from registrations.payments.simulated import SimulatedProvider

from .helpers import paid_order, text


def test_cancel_and_refund_frees_the_place_and_tells_the_family(
    staff_client, family, lea, camp, monkeypatch
):
    order = paid_order(family=family, items=[(lea, [camp])])
    refunds = []
    monkeypatch.setattr(
        SimulatedProvider, "refund", lambda self, o, amount: refunds.append(amount) or "r1"
    )
    response = staff_client.post(
        reverse("admin:registrations_order_changelist"),
        {"action": "cancel_and_refund", "_selected_action": [order.pk]},
        follow=True,
    )
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert refunds == [order.total]
    assert not Registration.objects.occupying().exists()
    assert OutgoingEmail.objects.filter(kind="order_cancelled", to=family.user.email).exists()


def test_order_admin_searches_by_number_name_and_email(staff_client, family, lea, camp):
    order = paid_order(family=family, items=[(lea, [camp])])
    url = reverse("admin:registrations_order_changelist")
    for term in (order.number, family.guardian_last_name, family.user.email, "Léa"):
        assert order.number in text(staff_client.get(url, {"q": term})), term


def test_admins_filter_by_season_week_group_and_status(staff_client, family, lea, camp):
    paid_order(family=family, items=[(lea, [camp])])
    for name in ("order", "registration"):
        url = reverse(f"admin:registrations_{name}_changelist")
        assert staff_client.get(url).status_code == 200
    url = reverse("admin:registrations_registration_changelist")
    assert (
        staff_client.get(url, {"group__id__exact": camp.pk, "status": "confirmed"}).status_code
        == 200
    )


def test_roster_csv_lists_health_notes_pickups_and_guardian_phone(staff_client, family, lea, camp):
    lea.allergies = "Arachides"
    lea.medical_notes = "Asthme"
    lea.authorized_pickups = "Paul Tremblay, oncle, 819 555-0199\nGrand-maman"
    lea.save()
    paid_order(family=family, items=[(lea, [camp])])
    response = staff_client.get(reverse("registrations:roster_csv", args=[camp.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    row = rows[1]
    assert "Arachides" in row and "Asthme" in row and family.phone in row
    assert "Paul Tremblay, oncle, 819 555-0199 / Grand-maman" in row
    assert "8" in row  # age on the season's reference date


def test_roster_is_staff_only(parent_client, camp):
    response = parent_client.get(reverse("registrations:roster_csv", args=[camp.pk]))
    assert response.status_code == 302


def test_roster_admin_action_exports_selected_registrations(staff_client, family, lea, camp):
    order = paid_order(family=family, items=[(lea, [camp])])
    response = staff_client.post(
        reverse("admin:registrations_registration_changelist"),
        {"action": "export_roster", "_selected_action": [order.registrations.get().pk]},
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "Léa" in response.content.decode("utf-8-sig")


def test_dossier_shows_confirmed_awaiting_and_orders(parent_client, family, lea, noah, camp):
    paid = paid_order(family=family, items=[(lea, [camp])])
    services.add_to_cart(family=family, person=noah, groups=[camp])
    pending = services.checkout(family=family).order
    from django.template.loader import render_to_string

    html = render_to_string("registrations/_dossier_section.html", {"family": family})
    assert paid.number in html and pending.number in html
    assert "Léa" in html and "Noah" in html
    assert reverse("registrations:order_detail", args=[pending.public_id]) in html
