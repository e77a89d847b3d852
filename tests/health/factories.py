import factory
from django.utils import timezone

from health.models import AccompanimentRequest, EmergencyContact, HealthForm, SeasonHealthPolicy
from tests.factories import PersonFactory, SeasonFactory


class HealthFormFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthForm

    person = factory.SubFactory(PersonFactory)
    season = factory.SubFactory(SeasonFactory)
    health_insurance_number = "TREM12345678"
    consent_photos = True
    consent_sunscreen = True
    consent_first_aid = True
    consent_leave_alone = False
    signed_by = "Marie Tremblay"
    signed_at = factory.LazyFunction(timezone.now)


class EmergencyContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmergencyContact

    form = factory.SubFactory(HealthFormFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    relationship = "Grand-mère"
    phone = "819 555-0199"


class SeasonHealthPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SeasonHealthPolicy

    season = factory.SubFactory(SeasonFactory)


class AccompanimentRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccompanimentRequest

    person = factory.SubFactory(PersonFactory)
    season = factory.SubFactory(SeasonFactory)
    needs = "Trouble du spectre de l'autisme; a besoin de routines."
