"""Thin views: parse, call one service or selector, render. Every read is scoped by family.
A ``DomainError`` a service raises is shown by ``portal.middleware``."""

import logging
import time

import redis
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.gate import approved_family_required
from activities.models import Group
from portal import waiting_room as queue_module
from portal.middleware import refusal_goes_to
from portal.parsing import to_id
from portal.staff import staff_permission_required
from portal.words import format_deadline

from . import selectors, services
from . import waiting_room as gate
from .models import Order
from .payments import InvalidSignature, MalformedEvent, PaymentEvent, get_provider
from .payments.simulated import SimulatedProvider
from .roster import roster_or_reason

logger = logging.getLogger(__name__)
CART_CHANGED = "cartChanged"
PENDING_CANCELLED = gettext_lazy(
    "Your cart changed, so the payment that was waiting was cancelled (nothing was charged). "
    "Press « Pay » again to pay the new total."
)


@approved_family_required
@gate.waiting_room_gate
def register(request: HttpRequest) -> HttpResponse:
    """« S'inscrire »: pick a child, tick weeks and services, send them to the cart."""
    children = selectors.children_of(family=request.family)
    data = request.POST if request.method == "POST" else request.GET
    person_id = to_id(data.get("person"))
    person = next((c for c in children if c.pk == person_id), None) if person_id else None
    if person_id and person is None:
        raise Http404  # not a child of this family
    person = person or (children[0] if children else None)
    context = {
        "children": children,
        "person": person,
        "target_week": to_id(request.GET.get("week")),
        "target_group": to_id(request.GET.get("group")),
        "result": None,
    }
    response_headers = {}
    changed_ids: list[int] | None = None
    if request.method == "POST" and person is not None:
        changed_ids = [pk for pk in map(to_id, request.POST.getlist("groups")) if pk]
        result = services.add_to_cart(family=request.family, person=person, group_ids=changed_ids)
        if not (result.added or result.refused):
            context["error"] = _("Tick at least one group.")
        else:
            context["result"] = result
            context["refused"], context["already_waiting"] = _split_waiting_services(
                person=person, refused=context["result"].refused
            )
            if context["result"].added:
                response_headers["HX-Trigger"] = CART_CHANGED
            if context["result"].cancelled_order is not None:
                context["pending_cancelled"] = PENDING_CANCELLED
    if request.htmx and changed_ids is not None:
        # The rush's hottest request: answer with the result and the ticked options only.
        context["changed"] = selectors.register_options(
            family=request.family, person=person, group_ids=changed_ids
        )
        response_headers.update({"HX-Retarget": "#register-result", "HX-Reswap": "innerHTML"})
        template = "registrations/register.html#added"
    else:
        if person is not None:
            context["seasons"] = selectors.register_options(family=request.family, person=person)
        template = "registrations/register.html"
        if request.htmx and not request.htmx.boosted:
            template += "#options"
    response = render(request, template, context)
    for name, value in response_headers.items():
        response[name] = value
    return response


def _split_waiting_services(*, person, refused: list) -> tuple[list, list]:
    """A service refused for want of that week's camp while it already waits with the
    child's waiting-list entry is not a refusal the parent can act on: it is told that the
    service waits with the entry (offered with the place), with « Mon dossier » to see it."""
    riding = selectors.waiting_addons(person=person) if refused else {}
    others, waiting = [], []
    for group, refusal in refused:
        if refusal.code == "service_without_camp" and group.pk in riding:
            waiting.append((group, riding[group.pk]))
        else:
            others.append((group, refusal))
    return others, waiting


@approved_family_required
@gate.waiting_room_gate
def cart(request: HttpRequest) -> HttpResponse:
    return render(
        request, "registrations/cart.html", {"cart": selectors.cart_view(family=request.family)}
    )


@refusal_goes_to("registrations:cart")
@approved_family_required
@gate.waiting_room_gate
@require_POST
def cart_remove(request: HttpRequest, item_id: int) -> HttpResponse:
    change = services.remove_from_cart(family=request.family, item_id=item_id)
    cancelled = PENDING_CANCELLED if change.cancelled_order is not None else None
    if request.htmx:
        context = {"cart": selectors.cart_view(family=request.family), "notice": cancelled}
        response = render(request, "registrations/cart.html#cart_body", context)
        response["HX-Trigger"] = CART_CHANGED
        return response
    if cancelled:
        messages.info(request, cancelled)
    return redirect("registrations:cart")


@require_GET
def cart_badge(request: HttpRequest) -> HttpResponse:
    """The header's « Panier » link, refreshed by htmx when the cart changes."""
    return render(request, "registrations/_cart_badge.html")


@refusal_goes_to("registrations:cart")
@approved_family_required
@gate.waiting_room_gate
@require_POST
def checkout(request: HttpRequest) -> HttpResponse:
    """« Payer »: hold what fits (or take the order already awaiting payment), tell the
    parent what does not fit, then go to the provider."""
    result = services.checkout(family=request.family, language=get_language()[:2])
    for item, refusal in result.refused:
        messages.warning(
            request,
            _("%(person)s — %(group)s: %(reason)s")
            % {"person": item.person, "group": item.group, "reason": refusal.message},
        )
    if result.order is None:
        return redirect("registrations:cart")
    if result.refused:  # told before paying: the parent decides to pay for the rest
        return redirect("registrations:order_detail", public_id=result.order.public_id)
    return redirect(services.start_payment(order=result.order))


@refusal_goes_to("registrations:cart")
@approved_family_required
@gate.waiting_room_gate
@require_POST
def pay_order(request: HttpRequest, public_id) -> HttpResponse:
    order = _family_order_or_404(request, public_id)
    return redirect(services.start_payment(order=order))


def _family_order_or_404(request: HttpRequest, public_id, **expected) -> Order:
    order = selectors.family_order(family=request.family, public_id=public_id)
    if order is None or any(getattr(order, name) != value for name, value in expected.items()):
        raise Http404
    return order


@refusal_goes_to("registrations:cart")
@approved_family_required
@require_POST
def cancel_order(request: HttpRequest, public_id) -> HttpResponse:
    """« Annuler ce paiement »: the order ends, its places come back, the cart stays."""
    order = get_object_or_404(
        Order, public_id=public_id, family=request.family, source=Order.Source.CART
    )
    if services.cancel_payment(order=order):
        messages.success(request, _("The payment was cancelled: nothing was charged."))
    return redirect("registrations:cart")


@approved_family_required
def order_detail(request: HttpRequest, public_id) -> HttpResponse:
    """The order's state; while awaiting the provider's news it polls itself with htmx."""
    order = _family_order_or_404(request, public_id)
    if request.GET.get("session_id"):  # back from the provider's page: fulfil at once
        services.fulfil_from_return(order=order, reference=request.GET["session_id"])
        order = _family_order_or_404(request, public_id)
    order.family = request.family  # loaded with the user: the page names its email
    gate.release_if_done(family=request.family, user_id=request.user.pk, order=order)
    context = {"order": order, "lines": selectors.order_lines(order=order), "now": timezone.now()}
    if request.htmx:
        return render(request, "registrations/order_detail.html#status", context)
    return render(request, "registrations/order_detail.html", context)


@approved_family_required
def simulated_payment(request: HttpRequest, public_id) -> HttpResponse:
    """« Paiement simulé »: Payer / Refuser go through the webhook's code path."""
    if request.method == "POST":
        order = _family_order_or_404(request, public_id, provider="simulated")
        outcome = {"pay": PaymentEvent.PAID, "decline": PaymentEvent.FAILED}.get(
            request.POST.get("action")
        )
        if outcome is None:
            return HttpResponseBadRequest()
        if order.status != Order.Status.PENDING_PAYMENT:
            messages.warning(request, _("This order is not awaiting payment: nothing was charged."))
            return redirect("registrations:order_detail", public_id=order.public_id)
        services.handle_payment_event(event=SimulatedProvider.event(order, outcome=outcome))
        if outcome == PaymentEvent.FAILED:
            _tell_declined(request, order)
        return redirect("registrations:order_detail", public_id=order.public_id)
    order = _family_order_or_404(request, public_id, provider="simulated")
    return render(
        request,
        "registrations/simulated_payment.html",
        {"order": order, "lines": selectors.order_lines(order=order)},
    )


def _tell_declined(request: HttpRequest, order: Order) -> None:
    """A warning, never a success: a cart's order ends (its page leads back to the cart); a
    waiting-list offer keeps its place until its deadline, so the parent may pay again."""
    order.refresh_from_db(fields=["status", "hold_expires_at"])
    if order.status == Order.Status.PENDING_PAYMENT:
        messages.warning(
            request,
            _(
                "Payment declined: nothing was charged. The place stays held until %(deadline)s: "
                "you can try again."
            )
            % {"deadline": format_deadline(order.hold_expires_at)},
        )
    else:
        messages.warning(request, _("Payment declined: nothing was charged."))


@approved_family_required
def waiting_room(request: HttpRequest) -> HttpResponse:
    """« Salle d'attente »: the countdown, what to prepare, then the family's place in line.
    Arriving here counts as arriving at the gate; a family already admitted goes on."""
    next_url = gate.safe_next(request.GET.get("next"))
    opening, place = gate.check_in(family=request.family, user_id=request.user.pk)
    if place is None or place.state != queue_module.State.WAITING:
        return redirect(next_url)
    status = gate.status_context(
        place, room_key=opening.room.key, user_id=request.user.pk, next_url=next_url
    )
    return render(
        request, "registrations/waiting_room.html", {"opening": opening, "status": status}
    )


@require_GET
def waiting_room_status(request: HttpRequest) -> HttpResponse:
    """The waiting page's refresh (every 0.5 to 30 s, ``Place.refresh_seconds``), thousands
    at once, when the site runs without the waiting room's own process
    (``registrations.waiting_asgi``, which answers the same). Served by
    ``portal.middleware.BareViewsMiddleware`` ahead of the session, authentication, CSRF and
    CSP middleware: no SQL, no session, one Redis call."""
    refresh = gate.Refresh.of(request.GET)
    queue = queue_module.get_queue()
    if refresh.whose is None or queue is None:
        answer = refresh.leave()
    else:
        try:
            place = queue.look(*refresh.whose, now=time.time())
        except redis.RedisError:
            logger.exception("Waiting room unreachable from the waiting page")
            answer = gate.UNREACHABLE
        else:
            answer = refresh.answer(place)
    return HttpResponse(answer.body, status=answer.status, headers=answer.headers)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Signed by Stripe; each event id handled once. Not behind the gate: Stripe calls it."""
    try:
        event = get_provider("stripe").parse_webhook(request)
    except InvalidSignature:
        return HttpResponseBadRequest("invalid signature")
    except MalformedEvent as exc:
        logger.error("Signed Stripe event we cannot read: %s", exc)
        return HttpResponseBadRequest("malformed event")
    services.handle_payment_event(event=event)
    return HttpResponse("ok")


@staff_permission_required("registrations.view_registration")
def roster_csv(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_object_or_404(Group, pk=group_id)
    return roster_or_reason(request, where=f"group {group.pk}", groups=[group])
