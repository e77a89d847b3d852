"""Admin of the camp's side: the group page (everything in one place), attendance records,
monitors' groups, the log of messages to families, and the season dashboard's entry."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from activities.selectors import availability_of, with_availability
from health.models import MedicalAccessLog
from health.services import log_medical_access
from portal.admin import ReadOnlyAdmin
from portal.errors import DomainError
from portal.parsing import to_id
from registrations.roster import roster_or_reason
from waitlist import services as waitlist_services
from waitlist.models import WaitlistEntry
from waitlist.out_of_turn import offer_out_of_turn

from . import dashboard_views, messaging
from .forms import FamilyMessageForm
from .group_page import group_overview
from .models import Attendance, FamilyMessage, GroupPage, MonitorAssignment
from .services import CampRefused


@admin.register(GroupPage)
class GroupPageAdmin(ReadOnlyAdmin):
    """One page per group: places, holds, the waiting line, the roster with health flags,
    attendance, and the actions (offer, export, message)."""

    list_display = ("activity", "week", "capacity", "places_taken", "free", "waiting")
    list_filter = ("week__season", "week", "activity__kind")
    list_select_related = ("activity", "week", "week__season")
    search_fields = ("activity__name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return with_availability(super().get_queryset(request))

    @admin.display(description=_("Places taken"))
    def places_taken(self, group) -> int:
        return availability_of(group).taken

    @admin.display(description=_("Free places"))
    def free(self, group) -> int:
        return availability_of(group).free

    @admin.display(description=_("Waiting"))
    def waiting(self, group) -> int:
        return availability_of(group).waiting

    def get_urls(self):
        wrap = self.admin_site.admin_view
        site = self.admin_site
        return [
            path(
                "tableau/",
                wrap(lambda request: dashboard_views.seasons(request, site)),
                name="camp_dashboard_seasons",
            ),
            path(
                "tableau/<str:season_id>/",
                wrap(
                    lambda request, season_id: dashboard_views.dashboard(request, site, season_id)
                ),
                name="camp_dashboard",
            ),
            path(
                "tableau/<str:season_id>/<str:table>.csv",
                wrap(
                    lambda request, season_id, table: dashboard_views.dashboard_csv(
                        request, site, season_id, table
                    )
                ),
                name="camp_dashboard_csv",
            ),
            path(
                "<str:object_id>/offrir-suivant/",
                wrap(self.offer_next_view),
                name="camp_group_offer_next",
            ),
            path(
                "<str:object_id>/offrir/",
                wrap(self.offer_entry_view),
                name="camp_group_offer_entry",
            ),
            path("<str:object_id>/liste.csv", wrap(self.roster_view), name="camp_group_roster"),
            *super().get_urls(),
        ]

    def _group(self, request: HttpRequest, object_id) -> GroupPage:
        if not self.has_view_permission(request):
            raise PermissionDenied
        pk = to_id(object_id)
        if pk is None:
            from django.http import Http404

            raise Http404
        return get_object_or_404(
            GroupPage.objects.select_related("activity", "week__season"), pk=pk
        )

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        group = self._group(request, object_id)
        overview = group_overview(group=group)
        log_medical_access(
            user=request.user,
            person_ids=[row.person.pk for row in overview.roster.rows],
            context=f"group page {group.pk}",
            kind=MedicalAccessLog.Kind.GROUP_PAGE,
        )
        context = {
            **self.admin_site.each_context(request),
            "title": str(group),
            "opts": self.model._meta,
            "original": group,
            "o": overview,
            "can_offer": request.user.has_perm("waitlist.change_waitlistentry"),
            "can_export": request.user.has_perm("registrations.view_registration"),
            "can_message": request.user.has_perm("camp.send_family_message"),
            "message_url": reverse("admin:camp_familymessage_write") + f"?group={group.pk}",
        }
        return TemplateResponse(request, "admin/camp/group_page.html", context)

    def _back(self, group) -> HttpResponse:
        return redirect(reverse("admin:camp_grouppage_change", args=[group.pk]))

    def offer_next_view(self, request: HttpRequest, object_id) -> HttpResponse:
        group = self._group(request, object_id)
        if request.method != "POST" or not request.user.has_perm("waitlist.change_waitlistentry"):
            raise PermissionDenied
        try:
            order = waitlist_services.offer_next(group=group, by=request.user)
        except DomainError as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
        else:
            self.message_user(
                request,
                gettext("Place offered (order %(order)s).") % {"order": order.number},
                messages.SUCCESS,
            )
        return self._back(group)

    def offer_entry_view(self, request: HttpRequest, object_id) -> HttpResponse:
        """« Offrir une place » to a chosen entry; out of turn, the reason is required."""
        group = self._group(request, object_id)
        if request.method != "POST" or not request.user.has_perm("waitlist.change_waitlistentry"):
            raise PermissionDenied
        entry_id = to_id(request.POST.get("entry"))
        entry = get_object_or_404(WaitlistEntry, pk=entry_id or 0, group=group)
        try:
            order = offer_out_of_turn(
                entry=entry, reason=request.POST.get("reason", ""), by=request.user
            )
        except DomainError as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
        else:
            self.message_user(
                request,
                gettext("%(entry)s: place offered (order %(order)s).")
                % {"entry": entry, "order": order.number},
                messages.SUCCESS,
            )
        return self._back(group)

    def roster_view(self, request: HttpRequest, object_id) -> HttpResponse:
        group = self._group(request, object_id)
        if not request.user.has_perm("registrations.view_registration"):
            raise PermissionDenied
        return roster_or_reason(request, where=f"group page {group.pk}", groups=[group])


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ("person", "group", "day", "status", "arrived_at", "left_at", "left_with")
    list_filter = ("day", "status", "group__week__season")
    search_fields = ("person__first_name", "person__last_name")
    list_select_related = ("person", "group__activity", "group__week")
    date_hierarchy = "day"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(MonitorAssignment)
class MonitorAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "group")
    list_filter = ("group__week__season", "group__week")
    autocomplete_fields = ()
    list_select_related = ("user", "group__activity", "group__week")


@admin.register(FamilyMessage)
class FamilyMessageAdmin(admin.ModelAdmin):
    """The log of messages sent to families; « Écrire aux familles » writes a new one."""

    list_display = ("sent_at", "subject_fr", "audience", "group", "week", "recipients", "sent_by")
    list_filter = ("audience",)
    readonly_fields = [f.name for f in FamilyMessage._meta.fields]
    change_list_template = "admin/camp/familymessage/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        return [
            path(
                "ecrire/",
                self.admin_site.admin_view(self.write_view),
                name="camp_familymessage_write",
            ),
            *super().get_urls(),
        ]

    def write_view(self, request: HttpRequest) -> HttpResponse:
        """Write, preview (recipients counted, both languages shown), then send."""
        if not request.user.has_perm("camp.send_family_message"):
            raise PermissionDenied
        initial = {}
        if request.method == "GET":
            group_id = to_id(request.GET.get("group"))
            if group_id is not None:
                initial = {"audience": FamilyMessage.Audience.GROUP, "group": group_id}
        form = FamilyMessageForm(request.POST or None, initial=initial)
        preview = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if "send" in request.POST:
                    message = messaging.send_family_message(**data, by=request.user)
                    self.message_user(
                        request,
                        ngettext(
                            "Message sent to %(count)d family through the outbox.",
                            "Message sent to %(count)d families through the outbox.",
                            message.recipients,
                        )
                        % {"count": message.recipients},
                        messages.SUCCESS,
                    )
                    return redirect("admin:camp_familymessage_changelist")
                families = messaging.audience_families(
                    audience=data["audience"], group=data["group"], week=data["week"]
                )
                preview = {"count": families.count(), **data}
            except CampRefused as refusal:
                form.add_error(None, refusal.message)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Write to families"),
            "opts": self.model._meta,
            "form": form,
            "preview": preview,
        }
        return TemplateResponse(request, "admin/camp/write_message.html", context)
