"""Offers and the line's sweep (invariants 1, 2 and 7).

An offer is an ordinary pending ``Order`` (source ``waitlist_offer``) whose holds run
until the offer's deadline; paying it goes through the registration app like any order.
The registration app never calls up here: ``serve_waiting_lines`` runs every 30 s and
reads the facts (orders expired, paid or released; groups with free places and families
waiting), so every path that frees a place reaches the line, with no signal to miss.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Family
from activities.models import Group
from activities.selectors import group_availability
from portal.emails import queue_email
from portal.errors import DomainError
from portal.locking import Busy, busy_on_lock_timeout
from registrations import rules
from registrations.models import Order
from registrations.services import cancel_payment, hold_places
from registrations.services.lifecycle import expire_stale_orders

from ..models import FreePlaceAlert, WaitlistEntry, WaitlistEvent
from .entries import close, drop_services_without_camp

Status = WaitlistEntry.Status


def offer_place(*, entry: WaitlistEntry, by=None, now: datetime | None = None) -> Order:
    """Offer the place to this entry: a held, time-boxed order with a payment link.

    Under the group locks the registration rules run again (``rules.OFFER``: any free
    place, no dates). The services riding with the entry are held only where the public
    may take a place; one with no place waits in its own line, keeping this entry's time.
    """
    now = now or timezone.now()
    with busy_on_lock_timeout(), transaction.atomic():
        entry = (
            WaitlistEntry.objects.select_for_update(of=("self",))
            .select_related("family__user", "person", "group__activity", "group__week__season")
            .get(pk=entry.pk)
        )
        if entry.status != Status.WAITING:
            raise DomainError(
                _("This entry is not waiting (%(status)s).")
                % {"status": entry.get_status_display()},
                code="not_waiting",
            )
        addons = list(entry.addons.select_related("activity", "week__season"))
        deadline = now + timedelta(hours=entry.group.week.season.offer_window_hours)
        result = hold_places(
            family=entry.family,
            requests=[
                (rules.OFFER, [(entry.person, entry.group)]),
                (rules.OFFER_ADDON, [(entry.person, addon) for addon in addons]),
            ],
            source=Order.Source.WAITLIST_OFFER,
            hold_until=deadline,
            language=entry.language,
            now=now,
            first_required=True,
        )
        main, addon_verdicts = result.verdicts[0], result.verdicts[1:]
        if main.refusal is not None:
            raise rules.RegistrationRefused(main.refusal)
        for verdict in addon_verdicts:
            if verdict.refusal is not None and verdict.refusal.code == "full":
                _queue_addon_on_its_own(entry=entry, addon=verdict.group)
        order = result.order
        entry.status = Status.OFFERED
        entry.offer_order = order
        entry.offer_expires_at = deadline
        entry.save(update_fields=["status", "offer_order", "offer_expires_at"])
        WaitlistEvent.objects.create(entry=entry, action="offered", actor=by, note=order.number)
        waiting = [v.group for v in addon_verdicts if v.refusal and v.refusal.code == "full"]
        _email_offer(entry=entry, order=order, waiting_addons=waiting)
    return order


def offer_next(*, group: Group, by=None, now: datetime | None = None) -> Order:
    """Offer the place to the first family in line for this group."""
    entry = (
        WaitlistEntry.objects.filter(group=group, status=Status.WAITING)
        .order_by("queued_at", "pk")
        .first()
    )
    if entry is None:
        raise DomainError(_("Nobody is waiting for this group."), code="nobody_waiting")
    return offer_place(entry=entry, by=by, now=now)


def _queue_addon_on_its_own(*, entry: WaitlistEntry, addon: Group) -> None:
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


def leave_waitlist(*, family: Family, entry: WaitlistEntry) -> WaitlistEntry:
    """Leave the line, or decline an offer: its checkout is closed at the provider first,
    then the held place goes to the next family at once."""
    entry = WaitlistEntry.objects.filter(pk=entry.pk, family=family).first()
    if entry is None:
        raise DomainError(_("This entry is not part of your family file."), code="not_in_family")
    if entry.status == Status.OFFERED and entry.offer_order is not None:
        cancel_payment(order=entry.offer_order)  # raises if it was paid meanwhile
    elif entry.status != Status.WAITING:
        raise DomainError(_("This entry is no longer on the waiting list."), code="not_waiting")
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status == Status.WAITING:
            close(entry, status=Status.CANCELLED, action="left", actor=family.user)
        elif entry.status == Status.OFFERED:
            close(entry, status=Status.CANCELLED, action="declined", actor=family.user)
            drop_services_without_camp(entry)
            transaction.on_commit(lambda: serve_group(group_id=entry.group_id))
    return entry


# --- The sweep --------------------------------------------------------------------------


def serve_waiting_lines(*, now: datetime | None = None) -> dict[str, int]:
    """Every 30 s: expire unpaid holds, settle the offers whose order ended, then give
    every freed place to the line (an automatic offer, or one email to staff)."""
    now = now or timezone.now()
    expired = len(expire_stale_orders(now=now))
    settled = settle_offers(now=now)
    served = serve_freed_places(now=now)
    return {"expired_orders": expired, "settled_offers": settled, **served}


def settle_offers(*, now: datetime) -> int:
    """Offers whose order is no longer pending: paid -> accepted; expired -> expired (the
    family is told); cancelled or declined -> cancelled. An expired offer paid late, with
    its place still free, is accepted after all."""
    ended = WaitlistEntry.objects.filter(
        Q(status=Status.OFFERED) & ~Q(offer_order__status=Order.Status.PENDING_PAYMENT)
        | Q(status=Status.EXPIRED, offer_order__status=Order.Status.PAID)
    )
    settled = 0
    for entry_id in ended.values_list("pk", flat=True):
        with transaction.atomic():
            entry = (
                WaitlistEntry.objects.select_for_update(of=("self",))
                .select_related("offer_order", "family__user", "group__activity", "person")
                .get(pk=entry_id)
            )
            order = entry.offer_order
            still_offered = entry.status == Status.OFFERED and (
                order is None or order.status != Order.Status.PENDING_PAYMENT
            )
            paid_late = entry.status == Status.EXPIRED and order.status == Order.Status.PAID
            if not (still_offered or paid_late):
                continue  # settled meanwhile
            _settle(entry=entry, order=order)
            settled += 1
    return settled


def _settle(*, entry: WaitlistEntry, order: Order | None) -> None:
    if order is not None and order.status in (Order.Status.PAID, Order.Status.REFUNDED):
        close(entry, status=Status.ACCEPTED, action="accepted", note=order.number)
        return
    if order is not None and order.status == Order.Status.EXPIRED:
        close(entry, status=Status.EXPIRED, action="expired", note=order.number)
        queue_email(
            to=entry.family.user.email,
            template="waitlist_expired",
            language=entry.language,
            context={"entry": entry, "order": order},
        )
    else:
        note = order.get_status_display() if order is not None else ""
        close(entry, status=Status.CANCELLED, action="cancelled", note=note)
    drop_services_without_camp(entry)


def serve_freed_places(*, now: datetime) -> dict[str, int]:
    """Groups with free places and families waiting: offered in line order when the season
    promotes automatically, else staff get one email per freed place."""
    waiting_groups = set(
        WaitlistEntry.objects.filter(status=Status.WAITING).values_list("group_id", flat=True)
    )
    FreePlaceAlert.objects.exclude(group_id__in=waiting_groups).delete()
    offers = alerts = 0
    for group_id, places in sorted(group_availability(group_ids=waiting_groups, now=now).items()):
        if places.free == 0:
            FreePlaceAlert.objects.filter(group_id=group_id).delete()
            continue
        o, a = serve_group(group_id=group_id, now=now)
        offers, alerts = offers + o, alerts + a
    return {"offers": offers, "staff_alerts": alerts}


def serve_group(*, group_id: int, now: datetime | None = None) -> tuple[int, int]:
    """Give one group's free places to its line. Returns (offers made, staff emails)."""
    now = now or timezone.now()
    group = Group.objects.select_related("activity", "week__season").get(pk=group_id)
    offers = 0
    if group.week.season.auto_promote:
        while True:
            places = group_availability(group_ids=[group_id], now=now)[group_id]
            if places.free == 0 or places.waiting == 0:
                return offers, 0
            try:
                offer_next(group=group, now=now)
            except Busy:  # checkouts hold the group: the next sweep tries again
                return offers, 0
            except DomainError:  # the first in line cannot take it (a rule): staff decide
                break
            offers += 1
    return offers, notify_staff_of_free_places(groups=[group], now=now)


def notify_staff_of_free_places(*, groups: Iterable[Group], now: datetime | None = None) -> int:
    """One email per group whose free places grew since staff were last told."""
    groups = {g.pk: g for g in groups}
    sent = 0
    for group_id, places in group_availability(group_ids=groups, now=now).items():
        if places.free == 0 or places.waiting == 0:
            continue
        with transaction.atomic():
            alert = FreePlaceAlert.objects.select_for_update().filter(group_id=group_id).first()
            if alert is not None and alert.free >= places.free:
                continue
            FreePlaceAlert.objects.update_or_create(
                group_id=group_id, defaults={"free": places.free}
            )
            changelist = reverse("admin:waitlist_waitlistentry_changelist")
            queue_email(
                to=settings.STAFF_NOTIFICATION_EMAIL,
                template="waitlist_staff_free_places",
                language=settings.LANGUAGE_CODE[:2],
                context={
                    "group": groups[group_id],
                    "free": places.free,
                    "waiting": places.waiting,
                    "admin_url": f"{settings.SITE_URL}{changelist}?group__id__exact={group_id}",
                },
            )
            sent += 1
    return sent
