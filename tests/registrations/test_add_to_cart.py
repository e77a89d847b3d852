"""Every refusal rule of « S'inscrire », on the service."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.errors import DomainError
from registrations import services
from registrations.models import CartItem
from tests import factories

from .helpers import paid_order


def reasons(result):
    return {group.pk: refusal.code for group, refusal in result.refused}


def test_camp_and_services_of_the_same_week_go_to_the_cart(family, lea, camp, daycare, transport):
    result = services.add_to_cart(family=family, person=lea, groups=[transport, daycare, camp])
    assert {g.pk for g in result.added} == {camp.pk, daycare.pk, transport.pk}
    assert not result.refused
    assert CartItem.objects.filter(cart__family=family).count() == 3


def test_child_too_young_is_refused_for_age(family, toddler, camp):
    result = services.add_to_cart(family=family, person=toddler, groups=[camp])
    assert reasons(result) == {camp.pk: "age"}


def test_already_registered_child_is_refused(family, lea, camp):
    paid_order(family=family, items=[(lea, [camp])])
    result = services.add_to_cart(family=family, person=lea, groups=[camp])
    assert reasons(result) == {camp.pk: "already_registered"}


def test_group_already_in_the_cart_is_refused(family, lea, camp):
    services.add_to_cart(family=family, person=lea, groups=[camp])
    result = services.add_to_cart(family=family, person=lea, groups=[camp])
    assert reasons(result) == {camp.pk: "already_in_cart"}


def test_second_camp_the_same_week_is_refused_when_in_the_cart(family, lea, camp, other_camp):
    services.add_to_cart(family=family, person=lea, groups=[camp])
    result = services.add_to_cart(family=family, person=lea, groups=[other_camp])
    assert reasons(result) == {other_camp.pk: "camp_same_week"}


def test_second_camp_the_same_week_is_refused_in_one_submission(family, lea, camp, other_camp):
    result = services.add_to_cart(family=family, person=lea, groups=[camp, other_camp])
    assert len(result.added) == 1
    assert list(reasons(result).values()) == ["camp_same_week"]


def test_second_camp_the_same_week_is_refused_when_registered(family, lea, camp, other_camp):
    paid_order(family=family, items=[(lea, [camp])])
    result = services.add_to_cart(family=family, person=lea, groups=[other_camp])
    assert reasons(result) == {other_camp.pk: "camp_same_week"}


def test_service_without_that_weeks_camp_is_refused(family, lea, daycare, transport):
    result = services.add_to_cart(family=family, person=lea, groups=[daycare, transport])
    assert reasons(result) == {
        daycare.pk: "service_without_camp",
        transport.pk: "service_without_camp",
    }


def test_service_is_accepted_with_a_camp_already_in_the_cart(family, lea, camp, daycare):
    services.add_to_cart(family=family, person=lea, groups=[camp])
    assert services.add_to_cart(family=family, person=lea, groups=[daycare]).added == [daycare]


def test_service_is_accepted_with_a_registered_camp(family, lea, camp, daycare):
    paid_order(family=family, items=[(lea, [camp])])
    assert services.add_to_cart(family=family, person=lea, groups=[daycare]).added == [daycare]


def test_service_of_another_week_does_not_count(family, lea, camp, week2):
    daycare_week2 = factories.GroupFactory(
        week=week2, activity=factories.ActivityFactory(kind="daycare")
    )
    result = services.add_to_cart(family=family, person=lea, groups=[camp, daycare_week2])
    assert reasons(result) == {daycare_week2.pk: "service_without_camp"}


def test_non_resident_waits_for_the_non_resident_opening(family, lea, camp, season):
    season.opens_at = timezone.now() - timedelta(hours=1)
    season.opens_at_nonresident = timezone.now() + timedelta(days=2)
    season.prepared_carts = False
    season.save()
    family.is_resident = False
    family.save()
    result = services.add_to_cart(family=family, person=lea, groups=[camp])
    assert reasons(result) == {camp.pk: "not_open"}
    family.is_resident = True
    family.save()
    assert services.add_to_cart(family=family, person=lea, groups=[camp]).added == [camp]


def test_registration_before_the_resident_opening_is_refused(family, lea, camp, season):
    season.opens_at = timezone.now() + timedelta(hours=1)
    season.opens_at_nonresident = timezone.now() + timedelta(hours=2)
    season.prepared_carts = False
    season.save()
    assert reasons(services.add_to_cart(family=family, person=lea, groups=[camp])) == {
        camp.pk: "not_open"
    }


def test_closed_season_is_refused(family, lea, camp, season):
    season.opens_at = timezone.now() - timedelta(days=10)
    season.opens_at_nonresident = timezone.now() - timedelta(days=9)
    season.closes_at = timezone.now() - timedelta(minutes=1)
    season.save()
    assert reasons(services.add_to_cart(family=family, person=lea, groups=[camp])) == {
        camp.pk: "closed"
    }


def test_full_group_is_refused(family, lea, camp):
    camp.capacity = 1
    camp.save()
    factories.RegistrationFactory(group=camp)
    assert reasons(services.add_to_cart(family=family, person=lea, groups=[camp])) == {
        camp.pk: "full"
    }


def test_another_familys_child_cannot_be_added(family, camp):
    stranger = factories.PersonFactory()
    with pytest.raises(DomainError) as refused:
        services.add_to_cart(family=family, person=stranger, groups=[camp])
    assert refused.value.code == "not_in_family"
