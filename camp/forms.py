from django import forms
from django.utils.translation import gettext_lazy as _

from activities.models import Group, Week

from .models import FamilyMessage


class FamilyMessageForm(forms.Form):
    audience = forms.ChoiceField(label=_("Send to"), choices=FamilyMessage.Audience.choices)
    group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=Group.objects.select_related("activity", "week").order_by(
            "-week__starts_on", "activity__name"
        ),
        required=False,
    )
    week = forms.ModelChoiceField(
        label=_("Week"),
        queryset=Week.objects.select_related("season").order_by("-starts_on"),
        required=False,
    )
    subject_fr = forms.CharField(label=_("Subject (French)"), max_length=200)
    body_fr = forms.CharField(label=_("Message (French)"), widget=forms.Textarea(attrs={"rows": 6}))
    subject_en = forms.CharField(label=_("Subject (English)"), max_length=200)
    body_en = forms.CharField(
        label=_("Message (English)"), widget=forms.Textarea(attrs={"rows": 6})
    )

    def clean(self):
        cleaned = super().clean()
        audience = cleaned.get("audience")
        if audience == FamilyMessage.Audience.WEEK and not cleaned.get("week"):
            self.add_error("week", _("Choose the week."))
        if audience in (FamilyMessage.Audience.GROUP, FamilyMessage.Audience.WAITLIST) and not (
            cleaned.get("group")
        ):
            self.add_error("group", _("Choose the group."))
        return cleaned
