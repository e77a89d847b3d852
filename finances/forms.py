from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import postal_code_validator

from .models import PayerInfo
from .validators import validate_sin


class NeverShownInput(forms.TextInput):
    """A text input that never writes its value back into the page: a social insurance
    number typed once is not sent back to the browser, even when the form has an error."""

    def format_value(self, value):
        return None


class PayerForm(forms.ModelForm):
    sin = forms.CharField(
        label=_("Social insurance number (SIN)"),
        required=False,
        max_length=20,
        validators=[validate_sin],
        widget=NeverShownInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    class Meta:
        model = PayerInfo
        fields = ["first_name", "last_name", "address", "city", "postal_code"]
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "address": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["postal_code"].validators.append(postal_code_validator)
        payer = self.instance if self.instance.pk else None
        if payer is not None and payer.sin:
            self.fields["sin"].help_text = _(
                "On file: %(masked)s. Leave blank to keep it; type a new number to replace it."
            ) % {"masked": payer.sin_masked}
        else:
            self.fields["sin"].required = True
            self.fields["sin"].help_text = _(
                "9 digits, as on the card. Stored encrypted; shown masked; used only for the "
                "RL-24 slip."
            )


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Tax year"), min_value=2000, max_value=2100)


class DateRangeForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The end date comes before the start date."))
        if start and end and (end - start).days > 366:
            raise forms.ValidationError(_("Choose a range of at most one year."))
        return data
