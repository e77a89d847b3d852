from datetime import date

import pytest
from django.contrib.auth.models import Group as AuthGroup

from camp.models import MonitorAssignment
from tests.factories import (
    FamilyFactory,
    GroupFactory,
    PersonFactory,
    RegistrationFactory,
    UserFactory,
)

MONDAY = date(2027, 6, 28)


@pytest.fixture
def camp_group(db):
    return GroupFactory(week__starts_on=MONDAY, week__ends_on=date(2027, 7, 2))


@pytest.fixture
def kids(camp_group):
    """Three children with a confirmed place, one with a held (unpaid) place."""
    registered = []
    for first in ("Léa", "Noah", "Zoé"):
        family = FamilyFactory()
        person = PersonFactory(
            family=family, first_name=first, authorized_pickups="Mamie Roy (grand-mère)"
        )
        RegistrationFactory(order__family=family, person=person, group=camp_group)
        registered.append(person)
    RegistrationFactory(group=camp_group, status="held", person__first_name="Pas-payé")
    return registered


@pytest.fixture
def monitor(db, camp_group):
    """A monitor of the « Animation » group, assigned to camp_group."""
    user = UserFactory(is_staff=False)
    user.groups.add(AuthGroup.objects.get(name="Animation"))
    MonitorAssignment.objects.create(user=user, group=camp_group)
    return user


@pytest.fixture
def monitor_client(client, monitor):
    client.force_login(monitor)
    return client
