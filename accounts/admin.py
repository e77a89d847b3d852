from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Exists, OuterRef
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .forms import RejectionForm
from .models import Family, Person, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Django's user admin, with the email as the login instead of a username."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(AllauthEmailAddressAdmin):
    """allauth's own admin declares no permission on « verify »: any staff account could
    verify any address. Here it needs the right to change email addresses."""

    @admin.action(
        description=_("Mark selected email addresses as verified"), permissions=["change"]
    )
    def make_verified(self, request, queryset) -> None:
        return super().make_verified(request, queryset)


class EmailVerifiedFilter(admin.SimpleListFilter):
    title = _("email verified")
    parameter_name = "email_verified"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        verified = EmailAddress.objects.filter(user_id=OuterRef("user_id"), verified=True)
        if self.value() == "yes":
            return queryset.filter(Exists(verified))
        if self.value() == "no":
            return queryset.exclude(Exists(verified))
        return queryset


class ResidencyReviewFilter(admin.SimpleListFilter):
    title = _("residency to review")
    parameter_name = "residency_review"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(residency_review_since__isnull=False)
        if self.value() == "no":
            return queryset.filter(residency_review_since__isnull=True)
        return queryset


class PersonInline(admin.TabularInline):
    """No medical field here: those are shown (and each look logged) only to the roles whose
    job needs them, in the health admin (« Notes médicales »)."""

    model = Person
    extra = 0
    fields = ["first_name", "last_name", "birth_date", "relationship"]


@admin.register(Family)
class FamilyAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "user_email",
        "postal_code",
        "status",
        "is_resident",
        "residency_review_since",
        "created_at",
    ]
    list_editable = ["is_resident"]
    list_filter = [
        "status",
        "is_resident",
        ResidencyReviewFilter,
        EmailVerifiedFilter,
        "preferred_language",
    ]
    search_fields = [
        "guardian_first_name",
        "guardian_last_name",
        "second_guardian_name",
        "user__email",
        "postal_code",
    ]
    list_select_related = ["user"]
    readonly_fields = [
        "status",
        "approved_by",
        "approved_at",
        "rejection_reason",
        "residency_review_since",
        "created_at",
    ]
    raw_id_fields = ["user"]
    inlines = [PersonInline]
    actions = ["approve", "reject", "confirm_residency", "confirm_non_residency"]

    @admin.display(description=_("email"), ordering="user__email")
    def user_email(self, family: Family) -> str:
        return family.user.email

    def save_model(self, request, obj: Family, form, change: bool) -> None:
        # Setting « resident » by hand (list or page) is the staff's residency decision.
        if change and "is_resident" in form.changed_data:
            obj.residency_review_since = None
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Confirm residency (address checked)"), permissions=["change"])
    def confirm_residency(self, request, queryset):
        count = services.decide_residency(families=queryset, resident=True)
        self.message_user(
            request,
            ngettext(
                "%(count)d family confirmed resident.",
                "%(count)d families confirmed resident.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Confirm non-resident (address checked)"), permissions=["change"])
    def confirm_non_residency(self, request, queryset):
        count = services.decide_residency(families=queryset, resident=False)
        self.message_user(
            request,
            ngettext(
                "%(count)d family confirmed non-resident.",
                "%(count)d families confirmed non-resident.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Approve the selected families"), permissions=["change"])
    def approve(self, request, queryset):
        count = services.approve_families(families=queryset, by=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d family approved; an email is on its way.",
                "%(count)d families approved; an email is on its way to each.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reject the selected families…"), permissions=["change"])
    def reject(self, request, queryset):
        """Asks the reason on an intermediate page, then rejects and emails each family."""
        form = RejectionForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            count = services.reject_families(
                families=queryset, by=request.user, reason=form.cleaned_data["reason"]
            )
            self.message_user(
                request,
                ngettext(
                    "%(count)d family rejected; an email is on its way.",
                    "%(count)d families rejected; an email is on its way to each.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject families"),
            "opts": self.model._meta,
            "families": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/accounts/family/reject.html", context)
