"""Service messages to the families of a group, a week or a waiting line, through the outbox.

No unsubscribe: these are about a child's registration (a cancelled outing, a heat wave),
and each email says why the family receives it. A clerk sends a limited number per hour.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Family
from activities.models import Group, Week
from portal.emails import queue_email
from registrations.models import Registration
from waitlist.models import WaitlistEntry

from .models import FamilyMessage
from .services import CampRefused

Audience = FamilyMessage.Audience


def audience_families(*, audience: str, group: Group | None, week: Week | None) -> QuerySet[Family]:
    """Families concerned, each once: a confirmed place in the group or the week, or a
    child waiting for the group."""
    confirmed = Registration.objects.filter(status=Registration.Status.CONFIRMED)
    if audience == Audience.GROUP and group is not None:
        ids = confirmed.filter(group=group).values("person__family")
    elif audience == Audience.WEEK and week is not None:
        ids = confirmed.filter(week=week).values("person__family")
    elif audience == Audience.WAITLIST and group is not None:
        ids = WaitlistEntry.objects.filter(group=group, status=WaitlistEntry.Status.WAITING).values(
            "family"
        )
    else:
        raise CampRefused(_("Choose who receives the message."), code="audience")
    return Family.objects.filter(pk__in=ids).select_related("user").order_by("pk")


def check_rate(*, by, now: datetime) -> None:
    sent = FamilyMessage.objects.filter(sent_by=by, sent_at__gte=now - timedelta(hours=1)).count()
    if sent >= settings.CAMP_MESSAGES_PER_HOUR:
        raise CampRefused(
            _("You sent %(count)s messages in the last hour: wait before sending another.")
            % {"count": sent},
            code="rate",
        )


def send_family_message(
    *,
    audience: str,
    group: Group | None,
    week: Week | None,
    subject_fr: str,
    body_fr: str,
    subject_en: str,
    body_en: str,
    by,
    now: datetime | None = None,
) -> FamilyMessage:
    """One outbox email per family, in its language, with the message logged once."""
    now = now or timezone.now()
    check_rate(by=by, now=now)
    families = list(audience_families(audience=audience, group=group, week=week))
    if not families:
        raise CampRefused(_("No family to write to in this audience."), code="empty")
    with transaction.atomic():
        message = FamilyMessage.objects.create(
            audience=audience,
            group=group if audience != Audience.WEEK else None,
            week=week if audience == Audience.WEEK else None,
            subject_fr=subject_fr,
            body_fr=body_fr,
            subject_en=subject_en,
            body_en=body_en,
            sent_by=by,
            recipients=len(families),
        )
        for family in families:
            english = family.preferred_language == Family.Language.ENGLISH
            queue_email(
                to=family.user.email,
                template="family_message",
                context={
                    "subject": subject_en if english else subject_fr,
                    "body": body_en if english else body_fr,
                    "audience": audience,
                    "group": group,
                    "week": week,
                },
                language=family.preferred_language,
                kind="family_message",
            )
    return message
