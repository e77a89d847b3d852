from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from registrations.models import Order, Payment
from tests import factories
from tests.health.factories import EmergencyContactFactory, HealthFormFactory


def past_group(year: int = 2024):
    week = factories.WeekFactory(
        season=factories.SeasonFactory(
            opens_at=timezone.now() - timedelta(days=900),
            opens_at_nonresident=timezone.now() - timedelta(days=900),
            closes_at=timezone.now() - timedelta(days=800),
        ),
        starts_on=date(year, 7, 1),
        ends_on=date(year, 7, 5),
    )
    return factories.GroupFactory(week=week)


@pytest.fixture
def full_family(family):
    """The approved family with a paid past registration, a refund, a health form, a waiting
    entry, and an email: one record of every kind."""
    lea = family.persons.get(first_name="Léa")
    lea.allergies = "Arachides"
    lea.medical_notes = "Asthme léger"
    lea.authorized_pickups = "Mamie Tremblay 819 555-0111"
    lea.save()
    group = past_group()
    order = factories.OrderFactory(family=family, status=Order.Status.PAID, total=Decimal("185"))
    factories.RegistrationFactory(order=order, person=lea, group=group)
    charge = Payment.objects.create(
        order=order, kind=Payment.Kind.CHARGE, provider="simulated", amount=Decimal("185")
    )
    Payment.objects.create(
        order=order,
        kind=Payment.Kind.REFUND,
        refund_of=charge,
        provider="simulated",
        amount=Decimal("20"),
    )
    form = HealthFormFactory(person=lea, season=group.week.season)
    EmergencyContactFactory(form=form, name="Grand-maman Gagnon")
    factories.WaitlistEntryFactory(family=family, person=family.persons.get(first_name="Noah"))
    from portal.emails import queue_rendered_email

    queue_rendered_email(
        to=family.user.email,
        subject="Bienvenue",
        body_text="Bonjour Marie",
        language="fr",
        kind="t",
    )
    return family
