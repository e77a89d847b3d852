"""Staff side of health forms: read-only forms (access logged), accompaniment decisions."""

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.admin import ReadOnlyAdmin
from portal.crypto import mask

from . import services
from .forms import AccompanimentDecisionForm
from .models import (
    HEALTH_FORM_ANSWERS,
    AccompanimentRequest,
    ChildMedicalNotes,
    EmergencyContact,
    HealthForm,
    MedicalAccessLog,
    SeasonHealthPolicy,
)


@admin.register(SeasonHealthPolicy)
class SeasonHealthPolicyAdmin(admin.ModelAdmin):
    list_display = ("season", "health_form", "accompaniment_deadline")


class EmergencyContactInline(admin.TabularInline):
    model = EmergencyContact
    fields = ("name", "relationship", "phone")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(HealthForm)
class HealthFormAdmin(admin.ModelAdmin):
    """Families sign their forms; staff read them, and every opened form is logged."""

    list_display = ("person", "season", "allergy_severity", "epinephrine", "signed_at")
    list_filter = ("season", "allergy_severity", "epinephrine", "swimming")
    search_fields = ("person__first_name", "person__last_name")
    list_select_related = ("person", "season")
    inlines = (EmergencyContactInline,)
    fields = (
        "person",
        "season",
        "masked_insurance_number",
        *HEALTH_FORM_ANSWERS,
        "signed_by_user",
        "signed_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description=_("health-insurance number"))
    def masked_insurance_number(self, form: HealthForm) -> str:
        return mask(form.health_insurance_number)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        form = self.get_object(request, object_id)
        if form is not None and self.has_view_permission(request, form):
            services.log_medical_access(
                user=request.user,
                person_ids=[form.person_id],
                context="admin: health form",
                kind=MedicalAccessLog.Kind.HEALTH_FORM,
            )
        return super().change_view(request, object_id, form_url, extra_context)


MEDICAL_PERMISSION = "health.view_medical_data"


@admin.register(ChildMedicalNotes)
class ChildMedicalNotesAdmin(ReadOnlyAdmin):
    """Read-only; open to the roles holding ``health.view_medical_data``, every look logged."""

    list_display = ("last_name", "first_name", "birth_date", "family")
    search_fields = ("first_name", "last_name", "family__guardian_last_name")
    list_select_related = ("family",)
    fields = (
        "first_name",
        "last_name",
        "birth_date",
        "family",
        "allergies",
        "medical_notes",
        "authorized_pickups",
    )
    readonly_fields = fields
    actions = None

    def get_queryset(self, request):
        return super().get_queryset(request).filter(relationship="child")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(MEDICAL_PERMISSION)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm(MEDICAL_PERMISSION)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        person = self.get_object(request, object_id)
        if person is not None and self.has_view_permission(request, person):
            services.log_medical_access(
                user=request.user,
                person_ids=[person.pk],
                context="admin: medical notes",
                kind=MedicalAccessLog.Kind.MEDICAL_NOTES,
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(AccompanimentRequest)
class AccompanimentRequestAdmin(admin.ModelAdmin):
    form = AccompanimentDecisionForm
    list_display = ("person", "season", "status", "created_at", "decided_by", "decided_at")
    list_filter = ("status", "season")
    search_fields = ("person__first_name", "person__last_name")
    list_select_related = ("person", "season", "decided_by")
    fields = ("person", "season", "needs", "created_at", "status", "staff_note", "decided_by")
    readonly_fields = ("person", "season", "needs", "created_at", "decided_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request, obj: AccompanimentRequest, form, change: bool) -> None:
        """The decision goes through the service (note required unless accepted)."""
        try:
            services.decide_accompaniment(
                request=obj,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["staff_note"],
                by=request.user,
            )
        except services.HealthRefused as refusal:
            self.message_user(request, refusal.message, messages.ERROR)


@admin.register(MedicalAccessLog)
class MedicalAccessLogAdmin(ReadOnlyAdmin):
    """Readable by « Administration » only (``health.view_medicalaccesslog``)."""

    list_display = ("at", "user", "kind", "person", "context", "reason")
    list_filter = ("kind",)
    search_fields = ("person__first_name", "person__last_name", "user__email", "reason")
    list_select_related = ("user", "person")
    actions = None
    date_hierarchy = "at"
