"""Staff build the summer in the admin: group generation and a capacity that cannot shrink
below the places taken."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from activities.models import Activity, Group
from activities.services import CapacityBelowTaken, change_capacity, generate_groups
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def season():
    season = factories.SeasonFactory()
    for number in range(1, 4):
        factories.WeekFactory(season=season, number=number)
    return season


def generate(season, activities, **overrides):
    defaults = {
        "capacity": 20,
        "price_resident": Decimal("185.00"),
        "price_nonresident": Decimal("260.00"),
        "min_age": 5,
        "max_age": 7,
    }
    return generate_groups(season=season, activities=activities, **{**defaults, **overrides})


def test_generate_groups_creates_one_group_per_activity_and_week(season):
    camp, daycare = factories.ActivityFactory(), factories.ActivityFactory(kind="daycare")
    assert generate(season, [camp, daycare]) == 6
    group = Group.objects.get(activity=camp, week__number=2)
    assert (group.capacity, group.price_resident, group.price_nonresident) == (
        20,
        Decimal("185.00"),
        Decimal("260.00"),
    )
    assert (group.min_age, group.max_age) == (5, 7)


def test_generate_groups_twice_creates_nothing_more_and_keeps_edits(season):
    camp = factories.ActivityFactory()
    generate(season, [camp])
    Group.objects.filter(week__number=1).update(capacity=12)
    assert generate(season, [camp], capacity=99) == 0
    assert Group.objects.count() == 3
    assert Group.objects.get(week__number=1).capacity == 12


def test_generate_groups_fills_in_a_week_added_later(season):
    camp = factories.ActivityFactory()
    generate(season, [camp])
    factories.WeekFactory(season=season, number=4)
    assert generate(season, [camp]) == 1


def test_admin_action_shows_a_form_then_generates_groups(staff_client, season):
    camp = factories.ActivityFactory(name="Camp Aventure")
    url = reverse("admin:activities_season_changelist")
    base = {"action": "generate_groups_action", ACTION_CHECKBOX_NAME: [season.pk]}

    form_page = staff_client.post(url, base)
    assert form_page.status_code == 200
    assert "Camp Aventure" in form_page.content.decode()
    assert Group.objects.count() == 0

    data = {
        **base,
        "apply": "1",
        "activities": [camp.pk],
        "capacity": "15",
        "price_resident": "150.00",
        "price_nonresident": "210.00",
        "min_age": "8",
        "max_age": "10",
    }
    response = staff_client.post(url, data, follow=True)
    assert response.status_code == 200
    assert Group.objects.filter(activity=camp, capacity=15, min_age=8).count() == 3
    assert "3 groupes créés" in response.content.decode()

    again = staff_client.post(url, data, follow=True)
    assert Group.objects.count() == 3
    assert "0 groupe créé" in again.content.decode()


def test_admin_action_refuses_bad_ages_and_creates_nothing(staff_client, season):
    camp = factories.ActivityFactory()
    url = reverse("admin:activities_season_changelist")
    response = staff_client.post(
        url,
        {
            "action": "generate_groups_action",
            ACTION_CHECKBOX_NAME: [season.pk],
            "apply": "1",
            "activities": [camp.pk],
            "capacity": "15",
            "price_resident": "150",
            "price_nonresident": "210",
            "min_age": "12",
            "max_age": "5",
        },
    )
    assert response.status_code == 200
    assert "âge minimum ne doit pas dépasser" in response.content.decode()
    assert Group.objects.count() == 0


@pytest.fixture
def group_with_three_taken():
    group = factories.GroupFactory(capacity=5)
    order = factories.OrderFactory()
    for status in ("confirmed", "held", "confirmed", "cancelled"):
        person = factories.PersonFactory(family=order.family)
        factories.RegistrationFactory(group=group, order=order, person=person, status=status)
    person = factories.PersonFactory(family=order.family)
    factories.WaitlistEntryFactory(group=group, family=order.family, person=person)
    return group


def test_change_capacity_refuses_below_places_taken(group_with_three_taken):
    group = group_with_three_taken
    with pytest.raises(CapacityBelowTaken) as refused:
        change_capacity(group=group, capacity=2)
    assert refused.value.taken == 3
    group.refresh_from_db()
    assert group.capacity == 5


def test_change_capacity_accepts_exactly_the_places_taken(group_with_three_taken):
    change_capacity(group=group_with_three_taken, capacity=3)
    group_with_three_taken.refresh_from_db()
    assert group_with_three_taken.capacity == 3


def test_group_list_shows_fill_rate_and_waiting_without_n_plus_one(
    staff_client, group_with_three_taken, django_assert_max_num_queries
):
    for _ in range(5):
        factories.GroupFactory()
    url = reverse("admin:activities_group_changelist")
    with django_assert_max_num_queries(15):
        response = staff_client.get(url)
    html = response.content.decode()
    assert "3 / 5 (60 %)" in html
    assert 'class="field-waiting">1<' in html


def test_group_list_filters_by_season_week_kind_and_activity(staff_client, group_with_three_taken):
    group = group_with_three_taken
    url = reverse("admin:activities_group_changelist")
    for params in (
        {"week__season__id__exact": group.week.season_id},
        {"week__id__exact": group.week_id},
        {"activity__kind": Activity.Kind.CAMP},
        {"activity__id__exact": group.activity_id},
    ):
        response = staff_client.get(url, params)
        assert response.status_code == 200
        assert response.context["cl"].result_count == 1, params


def changelist_post(group, capacity):
    return {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(group.pk),
        "form-0-capacity": str(capacity),
        "_save": "Save",
    }


def test_list_editable_capacity_below_taken_is_refused_with_a_message(
    staff_client, group_with_three_taken
):
    group = group_with_three_taken
    url = reverse("admin:activities_group_changelist")
    response = staff_client.post(url, changelist_post(group, 2))
    assert response.status_code == 200
    assert "3 places sont déjà prises" in response.content.decode()
    group.refresh_from_db()
    assert group.capacity == 5


def test_list_editable_capacity_can_be_raised(staff_client, group_with_three_taken):
    group = group_with_three_taken
    url = reverse("admin:activities_group_changelist")
    response = staff_client.post(url, changelist_post(group, 8))
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.capacity == 8


def test_change_form_refuses_capacity_below_taken(staff_client, group_with_three_taken):
    group = group_with_three_taken
    url = reverse("admin:activities_group_change", args=[group.pk])
    data = {
        "activity": group.activity_id,
        "week": group.week_id,
        "capacity": "1",
        "price_resident": "185.00",
        "price_nonresident": "260.00",
        "min_age": "5",
        "max_age": "12",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "La capacité ne peut pas être abaissée à 1" in response.content.decode()
    group.refresh_from_db()
    assert group.capacity == 5


def test_season_change_page_has_its_weeks_inline(staff_client, season):
    response = staff_client.get(reverse("admin:activities_season_change", args=[season.pk]))
    assert response.status_code == 200
    assert 'name="weeks-0-number"' in response.content.decode()
