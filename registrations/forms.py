from django import forms
from django.utils.translation import gettext_lazy as _

from portal.templatetags.money import money

from .models import Order, Registration


class RefundForm(forms.Form):
    """Staff « Annuler et rembourser »: which lines, and why (kept with the refund)."""

    lines = forms.ModelMultipleChoiceField(
        label=_("Lines to cancel and refund"),
        queryset=Registration.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A camp week takes that week's services of the same child with it."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=255, strip=True)

    def __init__(self, *args, order: Order, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        confirmed = order.registrations.filter(status=Registration.Status.CONFIRMED)
        self.fields["lines"].queryset = confirmed.select_related("person", "group__activity")
        self.fields["lines"].initial = list(confirmed.values_list("pk", flat=True))
        self.fields["lines"].label_from_instance = _line_label


def _line_label(registration: Registration) -> str:
    return f"{registration.person} — {registration.group} ({money(registration.price)})"
