import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.crypto import mask

from .models import (
    HEALTH_CONSENTS,
    HEALTH_FORM_ANSWERS,
    AccompanimentRequest,
    EmergencyContact,
    HealthForm,
)

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
INSURANCE_RE = re.compile(r"^[A-Z]{4}\d{8}$")


def _yes_no(label) -> forms.TypedChoiceField:
    """Each consent is an explicit answer, never a box left unticked by mistake."""
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class HealthFormForm(forms.ModelForm):
    insurance_number = forms.CharField(
        label=_("Health-insurance number (RAMQ)"),
        required=False,
        max_length=20,
        help_text=_("4 letters and 8 digits, for example TREM 1234 5678."),
    )
    consent_photos = _yes_no(_("Photos of my child may be taken and published by the camp"))
    consent_sunscreen = _yes_no(_("Staff may apply sunscreen"))
    consent_first_aid = _yes_no(_("Staff may give first aid"))
    consent_leave_alone = _yes_no(_("My child may leave alone at the end of the day"))
    certify = forms.BooleanField(
        label=_("I certify that this information is accurate and I give these consents."),
    )

    class Meta:
        model = HealthForm
        fields = ("insurance_number", *HEALTH_FORM_ANSWERS)
        widgets = {
            "allergies": forms.Textarea(attrs={"rows": 2}),
            "medications": forms.Textarea(attrs={"rows": 2}),
            "conditions": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, stored_number: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.stored_number = stored_number
        if stored_number:
            self.fields["insurance_number"].help_text = _(
                "Number on file: %(masked)s. Leave empty to keep it."
            ) % {"masked": mask(stored_number)}
        for name in HEALTH_CONSENTS:
            value = self.initial.get(name)
            if isinstance(value, bool):
                self.initial[name] = "yes" if value else "no"

    def clean_insurance_number(self) -> str | None:
        """Normalised (« TREM12345678 »); None keeps the stored number."""
        raw = self.cleaned_data["insurance_number"]
        value = re.sub(r"[\s-]", "", raw).upper()
        if not value:
            return None
        if not INSURANCE_RE.match(value):
            raise ValidationError(_("Enter 4 letters and 8 digits, for example TREM 1234 5678."))
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("epinephrine") and cleaned.get("allergy_severity") == "none":
            self.add_error(
                "allergy_severity", _("An epinephrine auto-injector goes with an allergy.")
            )
        return cleaned


class EmergencyContactForm(forms.ModelForm):
    class Meta:
        model = EmergencyContact
        fields = ("name", "relationship", "phone")


class BaseContactFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        filled = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if len(filled) < 2:
            raise ValidationError(_("Give at least two emergency contacts, each with a phone."))

    def contacts(self) -> list[dict]:
        return [
            {key: f.cleaned_data[key] for key in ("name", "relationship", "phone")}
            for f in self.forms
            if f.cleaned_data
        ]


ContactFormSet = forms.formset_factory(
    EmergencyContactForm,
    formset=BaseContactFormSet,
    extra=1,
    min_num=2,
    max_num=4,
    validate_max=True,
)


class AccompanimentForm(forms.ModelForm):
    class Meta:
        model = AccompanimentRequest
        fields = ("needs",)
        widgets = {"needs": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "needs": _(
                "Diagnosis or needs, what helps your child, what to avoid, who follows them."
            )
        }


class AccompanimentDecisionForm(forms.ModelForm):
    class Meta:
        model = AccompanimentRequest
        fields = ("status", "staff_note")

    def clean(self):
        from .services import HealthRefused, check_decision

        cleaned = super().clean()
        try:
            check_decision(status=cleaned.get("status", ""), note=cleaned.get("staff_note", ""))
        except HealthRefused as refusal:
            raise ValidationError(refusal.message) from None
        return cleaned
