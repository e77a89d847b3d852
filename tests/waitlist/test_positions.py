import pytest
from django.utils import translation

from activities.selectors import group_availability
from portal.models import OutgoingEmail
from tests import factories
from waitlist.selectors import family_entries, ordinal, position_label, waiting_counts
from waitlist.services import move_entry, notify_staff_of_free_places

from .conftest import free_a_place, waiting_entry


def positions(group):
    from waitlist.models import WaitlistEntry
    from waitlist.selectors import with_positions

    rows = with_positions(WaitlistEntry.objects.filter(group=group, status="waiting"))
    return {entry.pk: entry.position for entry in rows}


@pytest.mark.django_db
def test_a_freed_place_goes_to_the_waiting_list_and_to_the_public_once_it_is_empty(full_group):
    entry = waiting_entry(full_group)
    free_a_place(full_group)

    places = group_availability(group_ids=[full_group.pk])[full_group.pk]
    assert (places.free, places.public_free) == (1, 0)

    entry.status = "cancelled"
    entry.save()
    assert group_availability(group_ids=[full_group.pk])[full_group.pk].public_free == 1


@pytest.mark.django_db
def test_first_come_first_served_then_staff_move_to_the_top_and_bottom(full_group, staff_user):
    a, b, c = (waiting_entry(full_group) for _ in range(3))
    assert positions(full_group) == {a.pk: 1, b.pk: 2, c.pk: 3}

    move_entry(entry=c, to="top", by=staff_user)
    assert positions(full_group) == {c.pk: 1, a.pk: 2, b.pk: 3}

    move_entry(entry=c, to="bottom", by=staff_user)
    assert positions(full_group) == {a.pk: 1, b.pk: 2, c.pk: 3}
    assert sorted(c.events.values_list("action", "actor")) == [
        ("moved_bottom", staff_user.pk),
        ("moved_top", staff_user.pk),
    ]


@pytest.mark.django_db
def test_family_entries_show_live_positions_in_a_constant_number_of_queries(
    family, django_assert_num_queries
):
    groups = [factories.GroupFactory(capacity=0) for _ in range(4)]
    for group in groups:
        waiting_entry(group)
    children = [factories.PersonFactory(family=family) for _ in range(4)]
    for child, group in zip(children[:2], groups[:2], strict=True):
        waiting_entry(group, family=family, person=child)
    with django_assert_num_queries(2):
        few = family_entries(family=family)

    for child, group in zip(children[2:], groups[2:], strict=True):
        waiting_entry(group, family=family, person=child)
    with django_assert_num_queries(2):
        many = family_entries(family=family)

    assert len(few) == 2 and len(many) == 4
    assert {(e.position, e.waiting_total) for e in many} == {(2, 2)}


@pytest.mark.django_db
def test_waiting_counts_per_group(full_group):
    waiting_entry(full_group)
    waiting_entry(full_group)

    assert waiting_counts(group_ids=[full_group.pk]) == {full_group.pk: 2}


@pytest.mark.parametrize(
    ("number", "language", "expected"),
    [
        (1, "fr", "1er"),
        (3, "fr", "3e"),
        (1, "en", "1st"),
        (2, "en", "2nd"),
        (3, "en", "3rd"),
        (11, "en", "11th"),
        (12, "en", "12th"),
        (22, "en", "22nd"),
    ],
)
def test_ordinals_per_language(number, language, expected):
    assert ordinal(number, language) == expected


def test_position_label_reads_naturally_in_both_languages():
    with translation.override("fr"):
        assert position_label(3, 12) == "3e sur 12"
    with translation.override("en"):
        assert position_label(3, 12) == "3rd of 12"


@pytest.mark.django_db
def test_staff_are_told_only_of_groups_with_free_places_and_families_waiting(full_group):
    no_waiting = factories.GroupFactory(capacity=3)
    waiting_entry(full_group)

    assert notify_staff_of_free_places(groups=[full_group, no_waiting]) == 0

    free_a_place(full_group)
    assert notify_staff_of_free_places(groups=[full_group, no_waiting]) == 1
    assert OutgoingEmail.objects.filter(kind="waitlist_staff_free_places").count() == 1
