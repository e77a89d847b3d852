"""Waiting-list pages: thin views over waitlist.services, scoped by request.family."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.gate import approved_family_required
from accounts.selectors import family_person
from activities.models import Group
from activities.selectors import groups_with_season, week_services
from portal.errors import DomainError
from portal.parsing import to_id
from portal.staff import staff_permission_required
from registrations.waiting_room import release_if_finished

from . import selectors, services
from .models import WaitlistEntry


@approved_family_required
def entries(request: HttpRequest) -> HttpResponse:
    return render(request, "waitlist/entries.html")


@require_POST
@approved_family_required
def join(request: HttpRequest) -> HttpResponse:
    person = family_person(family=request.family, person_id=to_id(request.POST.get("person")))
    group_id = to_id(request.POST.get("group"))
    groups = groups_with_season(group_ids=[group_id]) if group_id else []
    if person is None or not groups:
        raise Http404
    group = groups[0]
    # From the join form: ``addons``; from « S'inscrire »: the week's services ticked there.
    addon_ids = [pk for pk in map(to_id, request.POST.getlist("addons")) if pk]
    addons = Group.objects.filter(pk__in=addon_ids).select_related("activity")
    ticked = [pk for pk in map(to_id, request.POST.getlist("groups")) if pk]
    if not addon_ids and ticked:
        addons = week_services(week_id=group.week_id, among=ticked)
    entry = None
    try:
        if addon_ids or ticked:
            entry = services.join_waitlist(
                family=request.family, person=person, group=group, addons=addons
            )
        else:  # the cart's button: the week's services there go with the camp
            entry = services.join_from_cart(family=request.family, person=person, group=group)
    except DomainError as refusal:
        message, level = str(refusal.message), messages.ERROR
    else:
        message = _("%(person)s is on the waiting list of %(group)s (%(position)s).") % {
            "person": person.first_name,
            "group": group,
            "position": selectors.position_label(entry.position, entry.waiting_total),
        }
        level = messages.SUCCESS
        release_if_finished(family=request.family, user_id=request.user.pk)
    if request.htmx:
        context = {
            "entry": entry,
            "message": message,
            "person": person,
            "group": group,
            "inline": bool(request.POST.get("inline")),
        }
        context["addon_groups"] = week_services(week_id=group.week_id)
        response = render(request, "waitlist/_join_result.html", context)
        if entry is not None:
            response["HX-Trigger"] = "cartChanged"  # the header's count: lines may have left
        return response
    messages.add_message(request, level, message)
    return _back(request)


@require_http_methods(["GET", "POST"])
@approved_family_required
def leave(request: HttpRequest, entry_id: int) -> HttpResponse:
    """GET asks for confirmation (declining an offer or leaving a line cannot be undone)."""
    entry = get_object_or_404(
        WaitlistEntry.objects.select_related("person", "group__activity", "group__week"),
        pk=entry_id,
        family=request.family,
    )
    if request.method == "GET":
        return render(request, "waitlist/leave_confirm.html", {"entry": entry})
    was_offered = entry.status == WaitlistEntry.Status.OFFERED
    try:
        services.leave_waitlist(family=request.family, entry=entry)
    except DomainError as refusal:
        messages.error(request, str(refusal.message))
    else:
        if was_offered:
            messages.success(
                request, _("You declined the offer: the place goes to the next family.")
            )
        else:
            messages.success(request, _("You left the waiting list."))
    return _back(request)


@require_POST
@staff_permission_required("waitlist.change_waitlistentry")
def offer_next(request: HttpRequest) -> HttpResponse:
    """Staff: offer the place to the first family in line for a group ("Offer to the next")."""
    group = get_object_or_404(Group, pk=to_id(request.POST.get("group")))
    try:
        order = services.offer_next(group=group, by=request.user)
    except DomainError as refusal:
        messages.error(request, str(refusal.message))
    else:
        messages.success(request, _("Place offered: order %(order)s.") % {"order": order.number})
    return _back(request, default=reverse("admin:waitlist_waitlistentry_changelist"))


def _back(request: HttpRequest, default: str | None = None) -> HttpResponseRedirect:
    """Back where the form was (a safe local URL), else the dossier."""
    target = request.POST.get("next") or request.headers.get("referer", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = default or reverse("accounts:dossier")
    return HttpResponseRedirect(target)
