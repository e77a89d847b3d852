"""Demo logins for `make run`: a staff account and an approved family with two children."""

from datetime import date

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from .models import Family, Person, User

DEMO_PASSWORD = "Camps-de-jour-2027!"
STAFF_EMAIL = "admin@example.org"
PARENT_EMAIL = "parent@example.org"


@transaction.atomic
def load_demo_accounts() -> list[tuple[str, str, str]]:
    """Idempotent. Returns (role, email, password) for each demo login."""
    staff = _user(STAFF_EMAIL, is_staff=True, is_superuser=True)
    parent = _user(PARENT_EMAIL)
    family, _ = Family.objects.get_or_create(
        user=parent,
        defaults={
            "guardian_first_name": "Marie",
            "guardian_last_name": "Tremblay",
            "address": "12 rue des Érables",
            "city": "Saint-Exemple",
            "postal_code": "J1H 2K3",
            "phone": "819 555-0123",
            "is_resident": True,
            "status": Family.Status.APPROVED,
            "approved_by": staff,
            "approved_at": timezone.now(),
        },
    )
    for first_name, birth_date in (("Léa", date(2019, 3, 15)), ("Noah", date(2016, 5, 2))):
        Person.objects.get_or_create(
            family=family,
            first_name=first_name,
            defaults={"last_name": "Tremblay", "birth_date": birth_date},
        )
    return [("staff", STAFF_EMAIL, DEMO_PASSWORD), ("parent", PARENT_EMAIL, DEMO_PASSWORD)]


def _user(email: str, **flags) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, **flags)
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user
