"""Reads about a family file that several pages share."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress

from portal.compiled import CompiledQuery

from .models import Family, Person


@dataclass(frozen=True)
class Readiness:
    """The "ready to register" checklist at the top of the family file."""

    email_verified: bool
    approved: bool
    has_child: bool

    @property
    def complete(self) -> bool:
        return self.email_verified and self.approved and self.has_child


def family_readiness(*, family: Family) -> Readiness:
    return Readiness(
        email_verified=EmailAddress.objects.filter(user_id=family.user_id, verified=True).exists(),
        approved=family.is_approved,
        has_child=family.persons.filter(relationship=Person.Relationship.CHILD).exists(),
    )


_FAMILY_PERSON = CompiledQuery(
    lambda *, family_id, person_id: Person.objects.filter(family=family_id, pk=person_id)
)


def family_person(*, family: Family, person_id: int | None) -> Person | None:
    """One person of the family's file, or None (another family's, or no id)."""
    if person_id is None:
        return None
    return _FAMILY_PERSON.first(family_id=family.pk, person_id=person_id)
