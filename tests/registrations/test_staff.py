import csv
import io

from django.urls import reverse

from portal.models import OutgoingEmail
from registrations import services
from registrations.models import Order, Registration
from registrations.payments import RefundResult
from registrations.payments.simulated import SimulatedProvider

from .helpers import paid_order, text


def test_cancel_and_refund_asks_for_confirmation_and_a_reason_and_records_the_clerk(
    staff_client,
    staff_user,
    family,
    lea,
    camp,
    daycare,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    order = paid_order(family=family, items=[(lea, [camp, daycare])])
    refunds = []

    def refund(self, *, payment_reference, amount, key, order):
        refunds.append(amount)
        return RefundResult(reference=f"re_{key}", status="succeeded")

    monkeypatch.setattr(SimulatedProvider, "refund", refund)
    changelist = reverse("admin:registrations_order_changelist")
    action = {"action": "cancel_and_refund", "_selected_action": [order.pk]}
    confirm_page = staff_client.post(changelist, action, follow=True)
    assert "Oui, annuler et rembourser" in text(confirm_page)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID  # nothing happens before the confirmation
    url = reverse("admin:registrations_order_refund", args=[order.pk])
    lines = list(order.registrations.values_list("pk", flat=True))
    without_reason = staff_client.post(url, {"lines": lines, "reason": ""})
    assert without_reason.status_code == 200  # the form again, with the error
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, {"lines": lines, "reason": "Déménagement"})
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert sorted(refunds) == sorted(r.price for r in order.registrations.all())
    assert set(order.payments.filter(kind="refund").values_list("recorded_by", "reason")) == {
        (staff_user.pk, "Déménagement")
    }
    assert not Registration.objects.occupying().exists()
    assert OutgoingEmail.objects.filter(kind="order_cancelled", to=family.user.email).exists()


def test_refunding_a_camp_line_takes_its_weeks_services_and_keeps_the_rest(
    staff_user, family, lea, noah, camp, daycare
):
    order = paid_order(family=family, items=[(lea, [camp, daycare]), (noah, [camp])])
    lea_camp = order.registrations.get(person=lea, kind="camp")
    services.cancel_and_refund(
        order=order, by=staff_user, reason="Malade", registration_ids=[lea_camp.pk]
    )
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    statuses = dict(order.registrations.values_list("person__first_name", "status"))
    assert order.registrations.get(person=noah).status == "confirmed"
    assert set(order.registrations.filter(person=lea).values_list("status", flat=True)) == {
        "cancelled"
    }
    assert statuses["Noah"] == "confirmed"
    refunded = sum(order.payments.filter(kind="refund").values_list("amount", flat=True))
    assert refunded == lea_camp.price + daycare.price_resident


def test_a_paid_order_cannot_be_deleted_from_the_admin(staff_client, family, lea, camp):
    order = paid_order(family=family, items=[(lea, [camp])])
    url = reverse("admin:registrations_order_delete", args=[order.pk])
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    assert Order.objects.filter(pk=order.pk).exists()


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
    url = reverse("registrations:roster_csv", args=[camp.pk])
    asked = staff_client.get(url)  # medical columns: the reason comes first
    assert "export_reason" in asked.content.decode()
    response = staff_client.post(url, {"export_reason": "Sortie au parc jeudi"})
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
    assert 'name="export_reason"' in response.content.decode()  # asked, selection kept
    response = staff_client.post(
        reverse("admin:registrations_registration_changelist"),
        {
            "action": "export_roster",
            "_selected_action": [order.registrations.get().pk],
            "export_reason": "Liste pour la sortie",
        },
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
