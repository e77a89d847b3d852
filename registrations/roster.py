"""Roster CSV for camp coordinators: who comes, their health notes, who may pick them up.

The medical columns (allergies, medical notes) go only to roles holding
``health.view_medical_data``, and each such download is written to the access log."""

from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from activities.models import Group
from health.models import MedicalAccessLog
from health.services import log_medical_access
from portal.spreadsheets import SafeWriter

from .models import Registration


def roster_registrations(*, groups: Iterable[Group]):
    return (
        Registration.objects.filter(group__in=list(groups), status=Registration.Status.CONFIRMED)
        .select_related("person__family", "group__activity", "group__week__season")
        .order_by("group__week__number", "group__activity__name", "person__last_name")
    )


MEDICAL_PERMISSION = "health.view_medical_data"


def roster_or_reason(
    request: HttpRequest, *, where: str, groups: Iterable[Group] = (), registrations=None
) -> HttpResponse:
    """A roster with medical columns is an export of children's medical data (Law 25): the
    clerk says why first, and the reason is kept in the access log with the download. A
    roster without them (a role that may not see them) needs no reason."""
    reason = " ".join(request.POST.get("export_reason", "").split())
    if request.user.has_perm(MEDICAL_PERMISSION) and not reason:
        hidden = [
            (name, value)
            for name, values in request.POST.lists()
            if name not in ("csrfmiddlewaretoken", "export_reason")
            for value in values
        ]
        return TemplateResponse(
            request,
            "registrations/roster_reason.html",
            {"hidden": hidden, "title": _("Why do you export this roster?"), "where": where},
        )
    return roster_response(
        user=request.user,
        where=where,
        groups=groups,
        registrations=registrations,
        reason=reason,
    )


def roster_response(
    *, user, where: str, groups: Iterable[Group] = (), registrations=None, reason: str = ""
) -> HttpResponse:
    registrations = list(
        registrations if registrations is not None else roster_registrations(groups=groups)
    )
    medical = user.has_perm(MEDICAL_PERMISSION)
    if medical:
        log_medical_access(
            user=user,
            person_ids=sorted({r.person_id for r in registrations}),
            context=f"roster CSV: {where}",
            kind=MedicalAccessLog.Kind.ROSTER,
            reason=reason,
        )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="roster.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 accents correctly with a BOM
    writer = SafeWriter(response)  # a parent typed these cells: no formula may run
    writer.writerow(
        [
            _("Group"),
            _("Week"),
            _("Child"),
            _("Age"),
            *([_("Allergies"), _("Medical notes")] if medical else []),
            _("Authorised pick-up persons"),
            _("Guardian"),
            _("Guardian phone"),
        ]
    )
    for r in registrations:
        person, family = r.person, r.person.family
        writer.writerow(
            [
                r.group.activity.name,
                r.group.week.label,
                f"{person.last_name}, {person.first_name}",
                person.age_on(r.group.week.season.age_reference_date),
                *([person.allergies, person.medical_notes] if medical else []),
                " / ".join(person.authorized_pickups.splitlines()),
                f"{family.guardian_first_name} {family.guardian_last_name}",
                family.phone,
            ]
        )
    return response
