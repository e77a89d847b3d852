"""Staff side of health forms: read-only forms (access logged), accompaniment decisions."""

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.crypto import mask

from . import services
from .forms import AccompanimentDecisionForm
from .models import (
    AccompanimentRequest,
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
        "allergies",
        "allergy_severity",
        "epinephrine",
        "medications",
        "conditions",
        "swimming",
        "consent_photos",
        "consent_sunscreen",
        "consent_first_aid",
        "consent_leave_alone",
        "signed_by",
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
        if form is not None:
            services.log_medical_access(
                user=request.user, person_ids=[form.person_id], context="admin: health form"
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
class MedicalAccessLogAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "person", "context")
    list_filter = ("context",)
    search_fields = ("person__first_name", "person__last_name", "user__email")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
