"""Factories shared by every app's tests."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.conf import settings
from django.utils import timezone

from accounts.models import Family, Person, User
from activities.models import Activity, Group, Season, Week
from registrations.models import Order, Registration
from waitlist.models import WaitlistEntry

PASSWORD = "Camps-de-jour-2027!"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"parent{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """Mark the email verified for allauth (pass ``verified=False`` to skip)."""
        obj.save()
        if create and extracted is not False:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.update_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


class StaffFactory(UserFactory):
    email = factory.Sequence(lambda n: f"staff{n}@example.org")
    is_staff = True
    is_superuser = True


class FamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Family

    user = factory.SubFactory(UserFactory)
    guardian_first_name = "Marie"
    guardian_last_name = factory.Sequence(lambda n: f"Tremblay{n}")
    address = "12 rue des Érables"
    city = "Saint-Exemple"
    postal_code = "J1H 2K3"
    phone = "819 555-0123"
    is_resident = True
    status = Family.Status.APPROVED
    privacy_policy_version = factory.LazyFunction(lambda: settings.PRIVACY_POLICY_VERSION)

    class Params:
        pending = factory.Trait(status=Family.Status.PENDING)
        rejected = factory.Trait(status=Family.Status.REJECTED, rejection_reason="Adresse invalide")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    family = factory.SubFactory(FamilyFactory)
    first_name = factory.Sequence(lambda n: f"Enfant{n}")
    last_name = factory.SelfAttribute("family.guardian_last_name")
    birth_date = date(2019, 3, 15)  # 8 years old in summer 2027
    relationship = Person.Relationship.CHILD


class SeasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Season

    name = factory.Sequence(lambda n: f"Camps de jour — Été {2027 + n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    opens_at_nonresident = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=12))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=60))
    age_reference_date = date(2027, 6, 28)
    offer_window_hours = 48


class WeekFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Week

    season = factory.SubFactory(SeasonFactory)
    number = factory.Sequence(lambda n: n + 1)
    starts_on = factory.LazyAttribute(lambda w: date(2027, 6, 28) + timedelta(weeks=w.number - 1))
    ends_on = factory.LazyAttribute(lambda w: w.starts_on + timedelta(days=4))


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    kind = Activity.Kind.CAMP
    name = factory.Sequence(lambda n: f"Camp Aventure {n}")
    site = "Parc central"


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    activity = factory.SubFactory(ActivityFactory)
    week = factory.SubFactory(WeekFactory)
    capacity = 20
    price_resident = Decimal("185.00")
    price_nonresident = Decimal("260.00")
    min_age = 5
    max_age = 12


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    family = factory.SubFactory(FamilyFactory)
    provider = "simulated"
    hold_expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=30))


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    order = factory.SubFactory(OrderFactory)
    person = factory.SubFactory(PersonFactory, family=factory.SelfAttribute("..order.family"))
    group = factory.SubFactory(GroupFactory)
    week = factory.SelfAttribute("group.week")
    kind = factory.SelfAttribute("group.activity.kind")
    status = Registration.Status.CONFIRMED
    price = factory.SelfAttribute("group.price_resident")
    hold_expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=30))


class WaitlistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WaitlistEntry

    family = factory.SubFactory(FamilyFactory)
    person = factory.SubFactory(PersonFactory, family=factory.SelfAttribute("..family"))
    group = factory.SubFactory(GroupFactory)


class ClerkFactory(UserFactory):
    """A staff account that is not a superuser: ``roles=["Accueil", ...]`` puts it in those
    groups (created by the roles migration); with no role it holds no permission at all."""

    email = factory.Sequence(lambda n: f"clerk{n}@example.org")
    is_staff = True
    is_superuser = False

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        if create and extracted:
            from django.contrib.auth.models import Group

            obj.groups.set(Group.objects.filter(name__in=extracted))
