import pytest

from accounts.demo import load_demo_accounts
from accounts.models import Family, User

pytestmark = pytest.mark.django_db


def test_demo_accounts_load_twice_without_duplicates():
    load_demo_accounts()
    logins = load_demo_accounts()

    assert [role for role, _, _ in logins] == ["staff", "parent"]
    assert User.objects.count() == 2
    family = Family.objects.get()
    assert family.is_approved
    assert family.persons.count() == 2
    assert User.objects.get(email=logins[1][1]).check_password(logins[1][2])
