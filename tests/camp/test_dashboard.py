"""The season dashboard counts nothing of its own: places from the availability selector,
money from the payments."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.selectors import group_availability
from camp.dashboard import allocate, season_dashboard
from registrations.models import Payment, Registration
from tests.factories import (
    GroupFactory,
    OrderFactory,
    RegistrationFactory,
    SeasonFactory,
    UserFactory,
    WaitlistEntryFactory,
    WeekFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    """Two weeks, two age bands; paid orders over both weeks, one refunded, a hold, a line."""
    season = SeasonFactory()
    weeks = [WeekFactory(season=season, number=n) for n in (1, 2)]
    groups = {
        (w.number, band): GroupFactory(week=w, min_age=band[0], max_age=band[1], capacity=4)
        for w in weeks
        for band in ((5, 7), (8, 12))
    }
    paid = OrderFactory(status="paid", total=Decimal("370.00"), paid_at=timezone.now())
    for key in ((1, (5, 7)), (2, (5, 7))):
        RegistrationFactory(
            order=paid,
            group=groups[key],
            price=Decimal("185.00"),
            confirmed_at=season.opens_at + timedelta(minutes=30),
        )
    Payment.objects.create(
        order=paid, kind="charge", provider="simulated", amount=Decimal("370.00")
    )
    refunded = OrderFactory(status="refunded", total=Decimal("200.00"))
    RegistrationFactory(
        order=refunded, group=groups[(1, (8, 12))], status="cancelled", price=Decimal("200.00")
    )
    Payment.objects.create(
        order=refunded, kind="charge", provider="simulated", amount=Decimal("200.00")
    )
    Payment.objects.create(
        order=refunded, kind="refund", provider="simulated", amount=Decimal("200.00")
    )
    RegistrationFactory(group=groups[(1, (8, 12))], status="held")  # a hold takes a place
    for _ in range(4):
        RegistrationFactory(
            group=groups[(2, (8, 12))], confirmed_at=season.opens_at + timedelta(hours=3)
        )
    WaitlistEntryFactory(group=groups[(2, (8, 12))])
    WaitlistEntryFactory(group=groups[(2, (8, 12))])
    return season, groups


def test_fill_rates_equal_the_availability_selector(seeded):
    season, groups = seeded

    board = season_dashboard(season=season)
    places = group_availability(group_ids=[g.pk for g in groups.values()])

    for (_week_number, band), group in groups.items():
        cell = board.heat[(group.week_id, band)]
        assert (cell.capacity, cell.taken, cell.waiting) == (
            places[group.pk].capacity,
            places[group.pk].taken,
            places[group.pk].waiting,
        )
    assert board.heat[(groups[(2, (8, 12))].week_id, (8, 12))].rate == 100
    assert [w.availability.waiting for w in board.waiting] == [2]


def test_money_equals_the_payments(seeded):
    season, _groups = seeded

    board = season_dashboard(season=season)

    charges = sum(p.amount for p in Payment.objects.filter(kind="charge"))
    refunds = sum(p.amount for p in Payment.objects.filter(kind="refund"))
    assert board.revenue == charges == Decimal("570.00")
    assert board.refunds == refunds == Decimal("200.00")
    assert [m.revenue for m in board.money] == [Decimal("385.00"), Decimal("185.00")]
    assert [m.refunds for m in board.money] == [Decimal("200.00"), Decimal("0")]


def test_registrations_per_hour_since_the_opening(seeded):
    season, _groups = seeded

    board = season_dashboard(season=season)

    confirmed = Registration.objects.filter(status="confirmed", confirmed_at__isnull=False).count()
    assert board.hours[0] == 2 and board.hours[3] == 4
    assert sum(board.hours) + board.later == confirmed


def test_allocation_adds_up_to_the_payment_to_the_cent():
    parts = allocate(Decimal("100.00"), [Decimal("1"), Decimal("1"), Decimal("1")])

    assert sum(parts) == Decimal("100.00")
    assert parts == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


def test_page_shows_the_chart_and_the_same_numbers_as_a_table(staff_client, seeded):
    season, _groups = seeded

    response = staff_client.get(reverse("admin:camp_dashboard", args=[season.pk]))

    text = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in text and 'class="heat-5"' in text
    assert 'id="total-revenue">570,00\u00a0$' in text or 'id="total-revenue">570.00 $' in text
    assert "style=" not in text.split('id="content-main"')[1]


def test_csv_export_has_the_same_numbers(staff_client, seeded):
    season, _groups = seeded

    response = staff_client.get(reverse("admin:camp_dashboard_csv", args=[season.pk, "revenus"]))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[-1][1:] == ["570.00", "200.00", "370.00"]


def test_unknown_csv_table_and_junk_season_are_404(staff_client, seeded):
    season, _groups = seeded

    assert (
        staff_client.get(f"/admin/camp/grouppage/tableau/{season.pk}/junk.csv").status_code == 404
    )
    assert staff_client.get("/admin/camp/grouppage/tableau/abc/").status_code == 404


def test_dashboard_needs_its_permission(client, seeded):
    season, _groups = seeded
    client.force_login(UserFactory(is_staff=True))

    response = client.get(reverse("admin:camp_dashboard", args=[season.pk]))

    assert response.status_code == 403
