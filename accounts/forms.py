from allauth.account.forms import LoginForm, ResetPasswordForm, SignupForm
from django import forms
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Family, Person

FAMILY_WIDGETS = {
    "guardian_first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
    "guardian_last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
    "second_guardian_name": forms.TextInput(attrs={"autocomplete": "off"}),
    "address": forms.TextInput(attrs={"autocomplete": "address-line1"}),
    "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
    "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
    "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
}


def _plain_labels(form: forms.Form) -> None:
    """Our own labels (« Courriel », « Mot de passe »), and no placeholder repeating them."""
    labels = {
        "login": _("Email"),
        "email": _("Email"),
        "password": _("Password"),
        "password1": _("Password"),
        "password2": _("Password (again)"),
        "remember": _("Remember me"),
    }
    for name, label in labels.items():
        if name in form.fields:
            form.fields[name].label = label
            form.fields[name].widget.attrs.pop("placeholder", None)


class FamilyLoginForm(LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain_labels(self)
        if "password" in self.fields:
            self.fields["password"].help_text = ""  # the page has its own reset link


class FamilyResetPasswordForm(ResetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain_labels(self)


class FamilySignupForm(SignupForm):
    """Sign-up with the family information: the user and its pending family are saved together."""

    guardian_first_name = forms.CharField(
        label=_("Guardian's first name"),
        max_length=100,
        widget=FAMILY_WIDGETS["guardian_first_name"],
    )
    guardian_last_name = forms.CharField(
        label=_("Guardian's last name"), max_length=100, widget=FAMILY_WIDGETS["guardian_last_name"]
    )
    second_guardian_name = forms.CharField(
        label=_("Second guardian (full name, optional)"),
        max_length=200,
        required=False,
        widget=FAMILY_WIDGETS["second_guardian_name"],
    )
    address = forms.CharField(label=_("Address"), max_length=255, widget=FAMILY_WIDGETS["address"])
    city = forms.CharField(label=_("City"), max_length=100, widget=FAMILY_WIDGETS["city"])
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=7,
        validators=Family._meta.get_field("postal_code").validators,
        widget=FAMILY_WIDGETS["postal_code"],
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        validators=Family._meta.get_field("phone").validators,
        widget=FAMILY_WIDGETS["phone"],
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=Family.Language.choices
    )

    accept_privacy_policy = forms.BooleanField(
        label=_("I have read the privacy policy and accept it"), required=True
    )

    account_fields = ("email", "password1", "password2")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain_labels(self)
        language = (translation.get_language() or "fr")[:2]
        self.fields["preferred_language"].initial = (
            language if language in Family.Language.values else Family.Language.FRENCH
        )

    @property
    def family_field_names(self) -> list[str]:
        return [name for name in self.fields if name not in self.account_fields]

    def save(self, request):
        # The user, its email address and its family commit together or not at all.
        with transaction.atomic():
            return super().save(request)

    def signup(self, request, user) -> None:
        services.create_family(user=user, data=self.cleaned_data)


class PrivacyPolicyForm(forms.Form):
    """A new version of the policy: the family accepts it before going on."""

    accept = forms.BooleanField(label=_("I have read the privacy policy and accept it"))


class FamilyForm(forms.ModelForm):
    class Meta:
        model = Family
        fields = services.FAMILY_FIELDS
        widgets = FAMILY_WIDGETS


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = services.PERSON_FIELDS
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "allergies": forms.Textarea(attrs={"rows": 3}),
            "medical_notes": forms.Textarea(attrs={"rows": 3}),
            "authorized_pickups": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        if birth_date > timezone.localdate():
            raise forms.ValidationError(_("The birth date cannot be in the future."))
        if birth_date.year < 1900:
            raise forms.ValidationError(_("Enter a birth date after 1900."))
        return birth_date


class RejectionForm(forms.Form):
    """The intermediate admin page of the "reject" action: the reason is required."""

    reason = forms.CharField(
        label=_("Reason for the rejection (sent to the family)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("A reason is required to reject an account."))
        return reason
