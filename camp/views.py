"""Staff pages of the camp: attendance on a phone and the printable sheet. Thin views."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Person
from activities.models import Group
from health.models import MedicalAccessLog
from health.services import log_medical_access
from portal.parsing import to_id

from . import services
from .pdf import attendance_sheet_pdf
from .selectors import (
    attendance_groups,
    attendance_sheet,
    camp_days,
    can_take_attendance,
    not_marked_counts,
)


def _group_for(request: HttpRequest, group_id) -> Group:
    """A junk id is a 404; a group the user may not take is a 403."""
    pk = to_id(group_id)
    if pk is None:
        raise Http404
    group = get_object_or_404(Group.objects.select_related("activity", "week__season"), pk=pk)
    if not can_take_attendance(request.user, group):
        raise PermissionDenied
    return group


def _day_of(group: Group, value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if day not in camp_days(group):
        raise Http404
    return day


@login_required
@require_GET
def attendance_home(request: HttpRequest) -> HttpResponse:
    groups = list(attendance_groups(request.user)[:200])
    if not groups:
        raise PermissionDenied
    today = timezone.localdate()
    todays = [g for g in groups if today in camp_days(g)]
    counts = not_marked_counts(groups=todays, day=today)
    return render(
        request,
        "camp/attendance_home.html",
        {
            "groups": [(g, camp_days(g)) for g in groups],
            "today": today,
            "today_groups": [(g, counts[g.pk]) for g in todays],
        },
    )


@login_required
@require_GET
def attendance(request: HttpRequest, group_id: str, day: str) -> HttpResponse:
    group = _group_for(request, group_id)
    sheet = attendance_sheet(group=group, day=_day_of(group, day))
    log_medical_access(
        user=request.user,
        person_ids=[row.person.pk for row in sheet.rows],
        context=f"attendance {group.pk} {sheet.day}",
        kind=MedicalAccessLog.Kind.ATTENDANCE,
    )
    return render(request, "camp/attendance.html", {"sheet": sheet, "group": group})


@login_required
@require_POST
def mark(request: HttpRequest, group_id: str, day: str, person_id: str) -> HttpResponse:
    group = _group_for(request, group_id)
    the_day = _day_of(group, day)
    pk = to_id(person_id)
    if pk is None:
        raise Http404
    person = get_object_or_404(Person, pk=pk, registrations__group=group)
    error = ""
    try:
        services.mark_attendance(
            group=group,
            person=person,
            day=the_day,
            status=request.POST.get("status", ""),
            left_with=request.POST.get("left_with", ""),
            by=request.user,
        )
    except services.CampRefused as refusal:
        error = refusal.message
    if not request.htmx:
        return redirect("camp:attendance", group_id=group.pk, day=the_day.isoformat())
    sheet = attendance_sheet(group=group, day=the_day)
    row = next(row for row in sheet.rows if row.person.pk == person.pk)
    return render(
        request,
        "camp/_attendance_mark.html",
        {"sheet": sheet, "group": group, "row": row, "error": error, "oob": True},
    )


@login_required
@require_GET
def sheet_pdf(request: HttpRequest, group_id: str) -> HttpResponse:
    """The printed sheet carries the children's health flags out of the portal: the monitor
    says why first (Law 25), and the reason is kept in the access log."""
    group = _group_for(request, group_id)
    reason = " ".join(request.GET.get("reason", "").split())[:300]
    if not reason:
        return render(request, "camp/sheet_reason.html", {"group": group})
    days = camp_days(group)
    sheet = attendance_sheet(group=group, day=days[0] if days else group.week.starts_on)
    log_medical_access(
        user=request.user,
        person_ids=[row.person.pk for row in sheet.rows],
        context=f"attendance sheet {group.pk}",
        kind=MedicalAccessLog.Kind.ATTENDANCE,
        reason=reason,
    )
    response = HttpResponse(
        attendance_sheet_pdf(sheet=sheet, days=days), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="presences-{group.pk}.pdf"'
    return response
