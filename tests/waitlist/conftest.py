import pytest

from registrations.models import Registration
from tests import factories


@pytest.fixture
def full_group(db):
    """A camp group of one place, taken by another family's confirmed registration."""
    group = factories.GroupFactory(capacity=1)
    factories.RegistrationFactory(group=group)
    return group


@pytest.fixture
def child(family):
    return family.persons.get(first_name="Léa")


def free_a_place(group) -> None:
    """The other family cancels: one place comes back."""
    Registration.objects.filter(group=group, status=Registration.Status.CONFIRMED).update(
        status=Registration.Status.CANCELLED
    )


def waiting_entry(group, **kwargs):
    return factories.WaitlistEntryFactory(group=group, **kwargs)
