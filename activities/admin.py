from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from registrations import waiting_room
from waitlist.admin import offer_next_action

from .forms import GenerateGroupsForm, GroupAdminForm
from .models import Activity, Group, Season, Week
from .selectors import availability_of, with_availability
from .services import CapacityBelowTaken, change_capacity, generate_groups


class WeekInline(admin.TabularInline):
    model = Week
    extra = 1
    fields = ("number", "starts_on", "ends_on")


@admin.register(Season)
class SeasonAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "opens_at",
        "opens_at_nonresident",
        "closes_at",
        "auto_promote",
        "waiting_room_link",
    )
    search_fields = ("name",)
    readonly_fields = ("waiting_room_link",)
    inlines = [WeekInline]
    actions = ["generate_groups_action"]

    def has_add_group_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("activities.add_group")

    @admin.display(description=_("Waiting room"))
    def waiting_room_link(self, season: Season) -> str:
        if not season.pk:
            return "—"
        url = reverse("admin:activities_season_waiting_room", args=[season.pk])
        return format_html('<a href="{}">{}</a>', url, _("Queue, pause and resume"))

    def get_urls(self):
        view = self.admin_site.admin_view(self.waiting_room_view)
        return [
            path("<path:object_id>/salle-d-attente/", view, name="activities_season_waiting_room"),
            *super().get_urls(),
        ]

    def waiting_room_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Each opening's queue (waiting, active, admitted, rate) and its Pause / Resume.
        Changing how a season opens is the season's change permission, not is_staff."""
        season = self.get_object(request, object_id)
        if season is None:
            raise Http404
        if not self.has_change_permission(request, season):
            raise PermissionDenied
        if request.method == "POST":
            action = request.POST.get("action")
            opening = request.POST.get("opening")
            if action not in ("pause", "resume") or opening not in ("resident", "nonresident"):
                return redirect(request.path)
            waiting_room.set_paused(
                season, is_resident=opening == "resident", paused=action == "pause"
            )
            done = _("Admission paused.") if action == "pause" else _("Admission resumed.")
            self.message_user(request, done, messages.SUCCESS)
            return redirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Waiting room: %(season)s") % {"season": season},
            "opts": self.model._meta,
            "season": season,
            "rooms": waiting_room.season_rooms(season),
        }
        return TemplateResponse(request, "activities/admin/waiting_room.html", context)

    @admin.action(
        description=_("Generate the groups of activities for every week"), permissions=["add_group"]
    )
    def generate_groups_action(self, request: HttpRequest, queryset: QuerySet[Season]):
        """Intermediate page: choose activities and defaults, then create the missing groups."""
        form = GenerateGroupsForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            created = sum(
                generate_groups(season=season, **form.cleaned_data) for season in queryset
            )
            self.message_user(
                request,
                ngettext(
                    "%(count)d group created (existing groups were left unchanged).",
                    "%(count)d groups created (existing groups were left unchanged).",
                    created,
                )
                % {"count": created},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Generate groups"),
            "opts": self.model._meta,
            "form": form,
            "seasons": queryset,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "activities/admin/generate_groups.html", context)


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "site")
    list_filter = ("kind",)
    search_fields = ("name", "site")


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    form = GroupAdminForm
    list_display = (
        "activity",
        "week",
        "min_age",
        "max_age",
        "price_resident",
        "price_nonresident",
        "capacity",
        "fill_rate",
        "free_places",
        "waiting",
    )
    list_display_links = ("activity",)
    actions = [offer_next_action]
    list_editable = ("capacity",)
    list_filter = ("week__season", "week", "activity__kind", "activity")
    list_select_related = ("activity", "week", "week__season")
    search_fields = ("activity__name",)

    def has_offer_waitlist_permission(self, request: HttpRequest) -> bool:
        """« Offer to the next in line » is a waiting-list decision, not a catalogue edit."""
        return request.user.has_perm("waitlist.change_waitlistentry")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Group]:
        # Availability comes from the selector, annotated in the same query (no N+1).
        return with_availability(
            super().get_queryset(request).select_related("activity", "week", "week__season")
        )

    def get_changelist_form(self, request: HttpRequest, **kwargs):
        # list_editable must refuse a capacity below the places taken too.
        kwargs.setdefault("form", GroupAdminForm)
        return super().get_changelist_form(request, **kwargs)

    @admin.display(description=_("Places taken"))
    def fill_rate(self, group: Group) -> str:
        availability = availability_of(group)
        if not availability.capacity:
            return f"{availability.taken} / 0"
        percent = round(100 * availability.taken / availability.capacity)
        return f"{availability.taken} / {availability.capacity} ({percent} %)"

    @admin.display(description=_("Free places"))
    def free_places(self, group: Group) -> int:
        return availability_of(group).free

    @admin.display(description=_("Waiting"))
    def waiting(self, group: Group) -> int:
        return availability_of(group).waiting

    def save_model(self, request, obj: Group, form, change: bool) -> None:
        if change and "capacity" in form.changed_data:
            try:
                # Re-checked under the group's lock: a hold may have come in since the form.
                change_capacity(group=obj, capacity=obj.capacity)
            except CapacityBelowTaken as exc:
                self.message_user(request, exc.message, messages.ERROR)
                obj.capacity = form.initial["capacity"]
        super().save_model(request, obj, form, change)
