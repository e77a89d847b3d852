from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
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


class _Titled:
    """A field's filter under a translated title (allauth's fields have no verbose name)."""

    title_text = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = self.title_text


class AuthenticatorTypeFilter(_Titled, admin.ChoicesFieldListFilter):
    title_text = _("type of authenticator")


class CreatedFilter(_Titled, admin.DateFieldListFilter):
    title_text = _("created at")


class LastUsedFilter(_Titled, admin.DateFieldListFilter):
    title_text = _("last used at")


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(AllauthAuthenticatorAdmin):
    """allauth's columns have no verbose names: the French admin read « USER », « CREATED AT »."""

    list_display = ("account", "kind", "created", "last_used")
    list_filter = (
        ("type", AuthenticatorTypeFilter),
        ("created_at", CreatedFilter),
        ("last_used_at", LastUsedFilter),
    )

    @admin.display(description=_("user"), ordering="user__email")
    def account(self, authenticator: Authenticator):
        return authenticator.user

    @admin.display(description=_("type of authenticator"), ordering="type")
    def kind(self, authenticator: Authenticator) -> str:
        return authenticator.get_type_display()

    @admin.display(description=_("created at"), ordering="created_at")
    def created(self, authenticator: Authenticator):
        return authenticator.created_at

    @admin.display(description=_("last used at"), ordering="last_used_at")
    def last_used(self, authenticator: Authenticator):
        return authenticator.last_used_at


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

    # « Approuver » / « Refuser » on the family's own page: the same services and the same
    # permission as the bulk actions, one family at a time.

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(function)

        return [
            path(
                "<path:object_id>/approve/", view(self.approve_view), name="accounts_family_approve"
            ),
            path("<path:object_id>/reject/", view(self.reject_view), name="accounts_family_reject"),
            *super().get_urls(),
        ]

    def _decided_family(self, request: HttpRequest, object_id: str) -> Family:
        family = self.get_object(request, object_id)
        if family is None:
            raise Http404
        if not self.has_change_permission(request, family):
            raise PermissionDenied
        return family

    def _decision_page(self, request: HttpRequest, family: Family, **context) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "family": family,
            **context,
        }
        return TemplateResponse(request, "admin/accounts/family/decision.html", context)

    def approve_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """GET asks for confirmation (the family is emailed at once); POST approves."""
        family = self._decided_family(request, object_id)
        if request.method == "POST":
            count = services.approve_families(families=[family], by=request.user)
            if count:
                self.message_user(
                    request,
                    _("%(family)s approved; an email is on its way.") % {"family": family},
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    _("%(family)s was already approved: no email sent.") % {"family": family},
                    messages.WARNING,
                )
            return redirect("admin:accounts_family_change", family.pk)
        return self._decision_page(
            request, family, title=_("Approve %(family)s") % {"family": family}
        )

    def reject_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The reason is required: the family reads it in its email."""
        family = self._decided_family(request, object_id)
        form = RejectionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            services.reject_families(
                families=[family], by=request.user, reason=form.cleaned_data["reason"]
            )
            self.message_user(
                request,
                _("%(family)s rejected; an email is on its way.") % {"family": family},
                messages.SUCCESS,
            )
            return redirect("admin:accounts_family_change", family.pk)
        return self._decision_page(
            request, family, form=form, title=_("Reject %(family)s") % {"family": family}
        )

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
