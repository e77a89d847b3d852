"""Joining, leaving and ordering the line. An entry is never billed before an offer."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Family, Person
from activities.models import Activity, Group
from activities.selectors import group_availability
from portal.compiled import CompiledQuery
from portal.emails import email_context_builder, queue_email_to_render
from portal.errors import DomainError
from portal.locking import busy_on_lock_timeout
from registrations import rules
from registrations.models import Registration
from registrations.selectors import person_cart_items
from registrations.services import take_out_of_cart

from ..models import WaitlistEntry, WaitlistEvent
from ..selectors import waiting_position

Status = WaitlistEntry.Status
ACTIVE = (Status.WAITING, Status.OFFERED)
# Staff "move" an entry by setting its queued_at just outside the others'.
MOVE_STEP = timedelta(seconds=1)


# Each join reads it: compiled once per process (``portal.compiled``).
_GROUPS_IN_LINE = CompiledQuery(
    lambda *, person_id: WaitlistEntry.objects.filter(
        person=person_id, status__in=ACTIVE
    ).values_list("group_id", flat=True)
)


def join_waitlist(
    *,
    family: Family,
    person: Person,
    group: Group,
    addons: Iterable[Group] = (),
    now: datetime | None = None,
) -> WaitlistEntry:
    """Put a child in line for a full group, with the week's services to price when a place
    is offered. The registration rules apply as for the cart (dates, age, one camp a week);
    only the places differ: the group must have none for the public.

    The entry comes back with ``position`` and ``waiting_total``, as ``with_positions``
    annotates them (the email and the page say the same place)."""
    now = now or timezone.now()
    addons = list(addons)
    plan = rules.person_plans(persons=[person], now=now)[person.pk]
    plan.waiting_groups = set(_GROUPS_IN_LINE.all(person_id=person.pk))
    places = group_availability(group_ids=[group.pk], now=now)
    _refuse_if(
        rules.check(
            family=family,
            person=person,
            group=group,
            plan=plan,
            availability=places.get(group.pk),
            now=now,
            policy=rules.WAITLIST_JOIN,
        )
    )
    plan.plan(group)
    for addon in addons:
        _refuse_if(rules.addon_refusal(group=group, addon=addon))
        _refuse_if(
            rules.check(
                family=family,
                person=person,
                group=addon,
                plan=plan,
                availability=None,
                now=now,
                policy=rules.WAITLIST_ADDON,
            )
        )
        plan.plan(addon)
    with busy_on_lock_timeout(), transaction.atomic():
        try:
            with transaction.atomic():
                entry = WaitlistEntry.objects.create(
                    family=family, person=person, group=group, language=family.preferred_language
                )
        except IntegrityError as exc:  # a double click raced past the check above
            raise rules.RegistrationRefused(rules.Refusal("already_waiting")) from exc
        if addons:  # a new entry has none yet
            entry.addons.add(*addons)
        WaitlistEvent.objects.create(entry=entry, action="joined", actor=family.user)
        # The camp and the services riding with it wait in line now, not in the cart.
        take_out_of_cart(
            family=family, person=person, group_ids=[group.pk, *(a.pk for a in addons)]
        )
        entry.position, entry.waiting_total = waiting_position(entry=entry)
        # Rendered by the worker, as the payment confirmation is: on opening night the join
        # only writes the row. The place is the one the page shows now, not the worker's.
        queue_email_to_render(
            to=family.user.email,
            template="waitlist_joined",
            builder=joined_email_context,
            arguments={
                "entry_id": entry.pk,
                "position": entry.position,
                "total": entry.waiting_total,
            },
            language=entry.language,
        )
    return entry


def join_from_cart(
    *, family: Family, person: Person, group: Group, now: datetime | None = None
) -> WaitlistEntry:
    """« Confirmer l'inscription en attente » on a cart line that filled: the week's
    services the child has in the cart wait with the entry, and all of them leave the cart."""
    riding = [
        item.group
        for item in person_cart_items(family=family, person=person)
        if item.group.week_id == group.week_id
        and item.group.pk != group.pk
        and item.group.activity.kind != Activity.Kind.CAMP
    ]
    return join_waitlist(family=family, person=person, group=group, addons=riding, now=now)


# The worker renders one per join on opening night: compiled once per process.
_JOINED_ENTRY = CompiledQuery(
    lambda *, entry_id: WaitlistEntry.objects.filter(pk=entry_id).select_related(
        "person", "group__activity", "group__week"
    )
)
_ENTRY_ADDONS = CompiledQuery(
    lambda *, entry_id: (
        WaitlistEntry.addons.through.objects.filter(waitlistentry=entry_id)
        .select_related("group__activity")
        .order_by("group_id")
    )
)


@email_context_builder
def joined_email_context(*, entry_id: int, position: int, total: int) -> dict:
    entry = _JOINED_ENTRY.first(entry_id=entry_id)
    if entry is None:  # gone before the worker came (a purge): the outbox says why
        raise WaitlistEntry.DoesNotExist(f"waiting-list entry {entry_id}")
    return {
        "entry": entry,
        "person": entry.person,
        "group": entry.group,
        "addons": [row.group for row in _ENTRY_ADDONS.all(entry_id=entry_id)],
        "position": position,
        "total": total,
    }


def _refuse_if(refusal: rules.Refusal | None) -> None:
    if refusal is not None:
        raise rules.RegistrationRefused(refusal)


def move_entry(*, entry: WaitlistEntry, to: str, by=None) -> WaitlistEntry:
    """Move an entry to the top or the bottom of its group's line (recorded)."""
    if to not in ("top", "bottom"):
        raise ValueError(f"unknown move: {to}")
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != Status.WAITING:
            raise DomainError(_("Only a waiting entry can be moved."), code="not_waiting")
        others = WaitlistEntry.objects.filter(group=entry.group_id, status=Status.WAITING).exclude(
            pk=entry.pk
        )
        if to == "top":
            edge = others.aggregate(edge=Min("queued_at"))["edge"]
            new_time = edge - MOVE_STEP if edge else entry.queued_at
        else:
            edge = others.aggregate(edge=Max("queued_at"))["edge"]
            new_time = edge + MOVE_STEP if edge else entry.queued_at
        entry.queued_at = new_time
        entry.save(update_fields=["queued_at"])
        WaitlistEvent.objects.create(entry=entry, action=f"moved_{to}", actor=by)
    return entry


def close(entry: WaitlistEntry, *, status: str, action: str, actor=None, note: str = "") -> None:
    entry.status = status
    entry.save(update_fields=["status"])
    WaitlistEvent.objects.create(entry=entry, action=action, actor=actor, note=note)


def has_camp_that_week(*, person: Person, group: Group) -> bool:
    return (
        Registration.objects.occupying()
        .filter(person=person, week=group.week_id, kind=Activity.Kind.CAMP)
        .exists()
    )


def drop_services_without_camp(entry: WaitlistEntry) -> None:
    """Services left waiting on their own make no sense once the camp offer is gone."""
    if entry.group.activity.is_service or has_camp_that_week(
        person=entry.person, group=entry.group
    ):
        return
    orphans = WaitlistEntry.objects.filter(
        person=entry.person,
        group__week=entry.group.week_id,
        group__activity__kind__in=(Activity.Kind.DAYCARE, Activity.Kind.TRANSPORT),
        status=Status.WAITING,
    )
    for orphan in orphans:
        close(orphan, status=Status.CANCELLED, action="cancelled", note="camp offer not taken")
