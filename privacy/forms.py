from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Family

from .models import DataExport


class CloseAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(label=_("I understand that closing my account cannot be undone"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password


class StaffExportForm(forms.ModelForm):
    """Staff export a family's data on request: the reason is required and logged."""

    family = forms.ModelChoiceField(label=_("Family"), queryset=Family.objects.all())
    reason = forms.CharField(
        label=_("Why (the request, who asked)"), max_length=300, widget=forms.TextInput()
    )

    class Meta:
        model = DataExport
        fields = ["family", "reason"]
