"""« Offrir une place » to a family that is not first in line: allowed, but never silently.

The offer itself is ``services.offer_place``; this module asks for the reason, and leaves
a trace on the entry offered and on every family passed over, in the same transaction.
"""

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from portal.errors import DomainError
from registrations.models import Order

from . import services
from .models import WaitlistEntry, WaitlistEvent

OFFERED_OUT_OF_TURN = "offered_out_of_turn"
PASSED_OVER = "passed_over"


def entries_ahead(entry: WaitlistEntry) -> QuerySet[WaitlistEntry]:
    """Entries still waiting in the same group before this one (by queued_at, then id)."""
    return WaitlistEntry.objects.filter(
        Q(queued_at__lt=entry.queued_at) | Q(queued_at=entry.queued_at, pk__lt=entry.pk),
        group_id=entry.group_id,
        status=WaitlistEntry.Status.WAITING,
    ).order_by("queued_at", "pk")


def offer_out_of_turn(*, entry: WaitlistEntry, reason: str, by) -> Order:
    """Offer the place to ``entry``; when it skips families, a reason is required and kept."""
    reason = " ".join(reason.split())
    with transaction.atomic():
        ahead = list(entries_ahead(entry).select_related("person"))
        if ahead and not reason:
            raise DomainError(
                _("%(count)s families are ahead in line. Give the reason for offering out of turn.")
                % {"count": len(ahead)},
                code="reason_required",
            )
        order = services.offer_place(entry=entry, by=by)
        if ahead:
            WaitlistEvent.objects.create(
                entry=entry, action=OFFERED_OUT_OF_TURN, actor=by, note=reason[:255]
            )
            WaitlistEvent.objects.bulk_create(
                WaitlistEvent(
                    entry=skipped,
                    action=PASSED_OVER,
                    actor=by,
                    note=f"{entry.person}: {reason}"[:255],
                )
                for skipped in ahead
            )
    return order
