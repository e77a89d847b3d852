"""Waiting-list writes: join, leave or decline, offer, move, expire (invariants 1, 2 and 7).

An entry is never billed before an offer. An offer is an ordinary ``Order``
(source ``waitlist_offer``) whose ``held`` registrations take the place until
``offer_expires_at``; paying it goes through the registration app's
``confirm_payment`` like any other order, which then calls ``on_order_paid``.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Family, Person
from activities.models import Activity, Group
from activities.selectors import group_availability
from portal.emails import queue_email
from portal.locking import busy_on_lock_timeout, lock_groups
from registrations.models import Order, Registration
from registrations.services import create_held_order, mark_released

from .models import WaitlistEntry, WaitlistEvent
from .selectors import waiting_position

Status = WaitlistEntry.Status
# Staff "move" an entry by setting its queued_at just outside the others'.
MOVE_STEP = timedelta(seconds=1)


class WaitlistRefused(Exception):
    """A domain refusal; the message is shown as is to the parent or to staff."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


# --- Joining and leaving -------------------------------------------------------------------


def join_waitlist(
    *, family: Family, person: Person, group: Group, addons: Iterable[Group] = ()
) -> WaitlistEntry:
    """Put a child in line for a full group. Creates the entry and nothing else (no order)."""
    addons = list(addons)
    _check_can_join(family=family, person=person, group=group, addons=addons)
    with transaction.atomic():
        try:
            with transaction.atomic():
                entry = WaitlistEntry.objects.create(
                    family=family, person=person, group=group, language=family.preferred_language
                )
        except IntegrityError as exc:  # a double click raced past the check above
            raise WaitlistRefused(
                _("%(person)s is already on the waiting list of this group.") % {"person": person}
            ) from exc
        entry.addons.set(addons)
        WaitlistEvent.objects.create(entry=entry, action="joined", actor=family.user)
        position, total = waiting_position(entry=entry)
        queue_email(
            to=family.user.email,
            template="waitlist_joined",
            language=entry.language,
            context={
                "entry": entry,
                "person": person,
                "group": group,
                "addons": addons,
                "position": position,
                "total": total,
                "dossier_url": settings.SITE_URL + reverse("accounts:dossier"),
            },
        )
    return entry


def _check_can_join(*, family: Family, person: Person, group: Group, addons: list[Group]) -> None:
    if person.family_id != family.pk:
        raise WaitlistRefused(_("This person is not part of your family file."))
    if not family.is_approved:
        raise WaitlistRefused(
            _("Your family file must be approved before you can join a waiting list.")
        )
    if group_availability(group_ids=[group.pk])[group.pk].public_free > 0:
        raise WaitlistRefused(_("Places are available in this group: register normally instead."))
    already = WaitlistEntry.objects.filter(
        person=person, group=group, status__in=(Status.WAITING, Status.OFFERED)
    )
    if already.exists():
        raise WaitlistRefused(
            _("%(person)s is already on the waiting list of this group.") % {"person": person}
        )
    if Registration.objects.occupying().filter(person=person, group=group).exists():
        raise WaitlistRefused(
            _("%(person)s is already registered in this group.") % {"person": person}
        )
    age = person.age_on(group.week.season.age_reference_date)
    if not group.min_age <= age <= group.max_age:
        raise WaitlistRefused(
            _("This group is for children aged %(min)s to %(max)s.")
            % {"min": group.min_age, "max": group.max_age}
        )
    if group.activity.kind == Activity.Kind.CAMP:
        other_camp = Registration.objects.occupying().filter(
            person=person, week=group.week_id, kind=Activity.Kind.CAMP
        )
        if other_camp.exists():
            raise WaitlistRefused(
                _("%(person)s is already registered in a camp that week.") % {"person": person}
            )
    elif not _has_camp_that_week(person=person, group=group):
        raise WaitlistRefused(
            _("Daycare and bike transport need a camp registration the same week.")
        )
    for addon in addons:
        if addon.week_id != group.week_id or addon.activity.kind == Activity.Kind.CAMP:
            raise WaitlistRefused(
                _("Only the daycare service or bike transport of the same week can be added.")
            )


def _has_camp_that_week(*, person: Person, group: Group) -> bool:
    return (
        Registration.objects.occupying()
        .filter(person=person, week=group.week_id, kind=Activity.Kind.CAMP)
        .exists()
    )


def leave_waitlist(*, family: Family, entry: WaitlistEntry) -> WaitlistEntry:
    """Leave the line, or decline an offer: the held place is freed at once."""
    if entry.family_id != family.pk:
        raise WaitlistRefused(_("This entry is not part of your family file."))
    freed = False
    with busy_on_lock_timeout(), transaction.atomic():
        lock_groups(_offer_group_ids(entry))
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status == Status.WAITING:
            _close(entry, status=Status.CANCELLED, action="left", actor=family.user)
        elif entry.status == Status.OFFERED:
            order = Order.objects.select_for_update().get(pk=entry.offer_order_id)
            if order.status == Order.Status.PAID:
                raise WaitlistRefused(_("This offer is paid: it can no longer be declined."))
            mark_released(order=order, status=Order.Status.CANCELLED, now=timezone.now())
            _close(entry, status=Status.CANCELLED, action="declined", actor=family.user)
            _drop_services_without_camp(entry)
            freed = True
        else:
            raise WaitlistRefused(_("This entry is no longer on the waiting list."))
    if freed:
        _after_place_freed(group=entry.group)
    return entry


# --- Offers ---------------------------------------------------------------------------------


def offer_place(*, entry: WaitlistEntry, by=None) -> Order:
    """Offer the place to this entry: a held, time-boxed order with a payment link.

    Under the group locks, availability is re-read; with no free place it refuses.
    Add-ons with no place for the public are not held: they stay waiting on their own
    (a separate waiting entry keeping this entry's place in line).
    """
    with busy_on_lock_timeout(), transaction.atomic():
        addon_ids = list(entry.addons.values_list("pk", flat=True))
        lock_groups([entry.group_id, *addon_ids])
        entry = (
            WaitlistEntry.objects.select_for_update(of=("self",))
            .select_related("family__user", "person", "group__activity", "group__week__season")
            .get(pk=entry.pk)
        )
        if entry.status != Status.WAITING:
            raise WaitlistRefused(
                _("%(entry)s: this entry is not waiting (%(status)s).")
                % {"entry": entry, "status": entry.get_status_display()}
            )
        group = entry.group
        places = group_availability(group_ids=[group.pk, *addon_ids])
        if places[group.pk].free == 0:
            raise WaitlistRefused(
                _("%(entry)s: no place is free in this group.") % {"entry": entry}
            )
        if group.activity.is_service and not _has_camp_that_week(person=entry.person, group=group):
            raise WaitlistRefused(
                _("%(entry)s: this service needs a camp registration the same week.")
                % {"entry": entry}
            )
        taken_camp = Registration.objects.occupying().filter(
            person=entry.person, week=group.week_id, kind=Activity.Kind.CAMP
        )
        if not group.activity.is_service and taken_camp.exists():
            raise WaitlistRefused(
                _("%(entry)s: this child is already registered in a camp that week.")
                % {"entry": entry}
            )
        addons = list(Group.objects.filter(pk__in=addon_ids).select_related("activity", "week"))
        held_addons = [a for a in addons if places[a.pk].public_free > 0]
        order = _create_offer_order(entry=entry, groups=[group, *held_addons])
        for addon in addons:
            if addon not in held_addons:
                _queue_addon_on_its_own(entry=entry, addon=addon)
        entry.status = Status.OFFERED
        entry.offer_order = order
        entry.offer_expires_at = order.hold_expires_at
        entry.save(update_fields=["status", "offer_order", "offer_expires_at"])
        WaitlistEvent.objects.create(entry=entry, action="offered", actor=by, note=order.number)
        waiting_addons = [a for a in addons if a not in held_addons]
        _email_offer(entry=entry, order=order, waiting_addons=waiting_addons)
    return order


def offer_next(*, group: Group, by=None) -> Order:
    """Offer the place to the first family in line for this group."""
    entry = (
        WaitlistEntry.objects.filter(group=group, status=Status.WAITING)
        .order_by("queued_at", "pk")
        .first()
    )
    if entry is None:
        raise WaitlistRefused(_("%(group)s: nobody is waiting.") % {"group": group})
    return offer_place(entry=entry, by=by)


def _create_offer_order(*, entry: WaitlistEntry, groups: list[Group]) -> Order:
    deadline = timezone.now() + timedelta(hours=entry.group.week.season.offer_window_hours)
    order, _held = create_held_order(
        family=entry.family,
        items=[(entry.person, group) for group in groups],
        source=Order.Source.WAITLIST_OFFER,
        hold_until=deadline,
        language=entry.language,
    )
    return order


def _queue_addon_on_its_own(*, entry: WaitlistEntry, addon: Group) -> None:
    """An add-on with no place waits in its own line, keeping the family's join time."""
    if WaitlistEntry.objects.filter(
        person=entry.person, group=addon, status__in=(Status.WAITING, Status.OFFERED)
    ).exists():
        return
    addon_entry = WaitlistEntry.objects.create(
        family=entry.family,
        person=entry.person,
        group=addon,
        queued_at=entry.queued_at,
        language=entry.language,
    )
    WaitlistEvent.objects.create(
        entry=addon_entry, action="joined", note=f"service of entry #{entry.pk}, no place yet"
    )


def _email_offer(*, entry: WaitlistEntry, order: Order, waiting_addons: list[Group]) -> None:
    queue_email(
        to=entry.family.user.email,
        template="waitlist_offer",
        language=entry.language,
        context={
            "entry": entry,
            "order": order,
            "registrations": list(order.registrations.select_related("group__activity")),
            "waiting_addons": waiting_addons,
            "deadline": order.hold_expires_at,
            "pay_url": offer_payment_url(order),
        },
    )


def offer_payment_path(order: Order) -> str:
    """The order's page: its state, the deadline and the « Payer » button."""
    return reverse("registrations:order_detail", args=[order.public_id])


def offer_payment_url(order: Order) -> str:
    return settings.SITE_URL + offer_payment_path(order)


# --- Staff ordering -------------------------------------------------------------------------


def move_entry(*, entry: WaitlistEntry, to: str, by=None) -> WaitlistEntry:
    """Move an entry to the top or the bottom of its group's line (recorded)."""
    if to not in ("top", "bottom"):
        raise ValueError(f"unknown move: {to}")
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != Status.WAITING:
            raise WaitlistRefused(_("Only a waiting entry can be moved."))
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


# --- Expiry, payment and release ----------------------------------------------------------


def expire_offers(*, now: datetime | None = None) -> int:
    """Expire offers past their deadline, one transaction each; then promote or tell staff."""
    now = now or timezone.now()
    due = WaitlistEntry.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now)
    expired = 0
    for entry in due.order_by("offer_expires_at", "pk"):
        if _expire_one(entry=entry, now=now):
            expired += 1
            _after_place_freed(group=entry.group)
    return expired


def _expire_one(*, entry: WaitlistEntry, now: datetime) -> bool:
    with busy_on_lock_timeout(), transaction.atomic():
        lock_groups(_offer_group_ids(entry))
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != Status.OFFERED or entry.offer_expires_at > now:
            return False  # handled meanwhile: idempotent
        order = Order.objects.select_for_update().get(pk=entry.offer_order_id)
        if order.status == Order.Status.PAID:
            _close(entry, status=Status.ACCEPTED, action="accepted")
            return False
        mark_released(order=order, status=Order.Status.EXPIRED, now=now)
        _close(entry, status=Status.EXPIRED, action="expired")
        _drop_services_without_camp(entry)
        queue_email(
            to=entry.family.user.email,
            template="waitlist_expired",
            language=entry.language,
            context={"entry": entry, "order": order},
        )
    return True


def on_order_paid(*, order: Order) -> None:
    """Called by confirm_payment: the family took its offered place (even if paid late)."""
    for entry in WaitlistEntry.objects.filter(
        offer_order=order, status__in=(Status.OFFERED, Status.EXPIRED)
    ):
        _close(entry, status=Status.ACCEPTED, action="accepted")


def on_order_released(*, order: Order) -> None:
    """An order gave its places back: close its offer if it was one, then the freed places
    go to the waiting list first (automatic promotion, or staff are told)."""
    with transaction.atomic():
        for entry in WaitlistEntry.objects.select_for_update().filter(
            offer_order=order, status=Status.OFFERED
        ):
            status = Status.EXPIRED if order.status == Order.Status.EXPIRED else Status.CANCELLED
            _close(entry, status=status, action=status.value, note=order.get_status_display())
            _drop_services_without_camp(entry)
    freed = Group.objects.filter(registrations__order=order).distinct()
    for group in freed.filter(waitlist_entries__status=Status.WAITING).distinct():
        _after_place_freed(group=group)


def _close(entry: WaitlistEntry, *, status: str, action: str, actor=None, note: str = "") -> None:
    entry.status = status
    entry.save(update_fields=["status"])
    WaitlistEvent.objects.create(entry=entry, action=action, actor=actor, note=note)


def _drop_services_without_camp(entry: WaitlistEntry) -> None:
    """Services left waiting on their own make no sense once the camp offer is gone."""
    if entry.group.activity.is_service or _has_camp_that_week(
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
        _close(orphan, status=Status.CANCELLED, action="cancelled", note="camp offer not taken")


def _offer_group_ids(entry: WaitlistEntry) -> list[int]:
    ids = [entry.group_id]
    if entry.offer_order_id:
        ids += Registration.objects.filter(order=entry.offer_order_id).values_list(
            "group_id", flat=True
        )
    return ids


def place_freed(*, group: Group) -> None:
    """A place came back outside an order (capacity raised): the waiting line first."""
    if WaitlistEntry.objects.filter(group=group, status=Status.WAITING).exists():
        _after_place_freed(group=group)


def _after_place_freed(*, group: Group) -> None:
    """A place came back: the next family gets it (automatic promotion) or staff are told."""
    season = Group.objects.select_related("week__season").get(pk=group.pk).week.season
    if season.auto_promote:
        try:
            offer_next(group=group, by=None)
            return
        except WaitlistRefused:
            pass
    notify_staff_of_free_places(groups=[group])


# --- Staff notification -----------------------------------------------------------------


def notify_staff_of_free_places(*, groups: Iterable[Group]) -> int:
    """One email per group that has free places and families waiting. Returns emails queued."""
    groups = {g.pk: g for g in groups}
    places = group_availability(group_ids=groups)
    sent = 0
    for group_id, availability in places.items():
        if availability.free > 0 and availability.waiting > 0:
            changelist = reverse("admin:waitlist_waitlistentry_changelist")
            queue_email(
                to=settings.STAFF_NOTIFICATION_EMAIL,
                template="waitlist_staff_free_places",
                language=settings.LANGUAGE_CODE[:2],
                context={
                    "group": groups[group_id],
                    "free": availability.free,
                    "waiting": availability.waiting,
                    "admin_url": f"{settings.SITE_URL}{changelist}?group__id__exact={group_id}",
                },
            )
            sent += 1
    return sent
