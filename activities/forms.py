from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from .models import Activity, Group, Week
from .services import CapacityBelowTaken, check_capacity


class WeekChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Week) -> str:
        return obj.label


class CatalogueFilterForm(forms.Form):
    """GET filters of the public catalogue. Invalid values are reported and ignored."""

    week = WeekChoiceField(
        label=_("Week"), queryset=Week.objects.none(), required=False, empty_label=_("All weeks")
    )
    age = forms.IntegerField(
        label=_("Child's age"),
        required=False,
        min_value=0,
        max_value=99,
        help_text=_("In years, on the first day of camp."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    kind = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("All types")), *Activity.Kind.choices],
    )

    def __init__(self, *args, weeks=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if weeks is not None:
            self.fields["week"].queryset = weeks

    def filters(self) -> dict:
        """The valid filters only: a bad value in one field does not discard the others."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        week = data.get("week")
        return {
            "week_id": week.pk if week else None,
            "age": data.get("age"),
            "kind": data.get("kind") or None,
        }


class GroupAdminForm(forms.ModelForm):
    """Staff may not lower a capacity below the places already taken."""

    class Meta:
        model = Group
        fields = (
            "activity",
            "week",
            "capacity",
            "price_resident",
            "price_nonresident",
            "min_age",
            "max_age",
        )

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk and capacity is not None:
            try:
                check_capacity(group=self.instance, capacity=capacity)
            except CapacityBelowTaken as exc:
                raise forms.ValidationError(exc.message, code="below_taken") from exc
        return capacity


class GenerateGroupsForm(forms.Form):
    """Defaults of the groups created for every week of the chosen seasons."""

    activities = forms.ModelMultipleChoiceField(
        label=_("Activities"),
        queryset=Activity.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    capacity = forms.IntegerField(label=_("Capacity"), min_value=0, initial=20)
    price_resident = forms.DecimalField(
        label=_("Resident price"), min_value=Decimal("0"), decimal_places=2, initial=185
    )
    price_nonresident = forms.DecimalField(
        label=_("Non-resident price"), min_value=Decimal("0"), decimal_places=2, initial=260
    )
    min_age = forms.IntegerField(
        label=_("Minimum age"), validators=[MinValueValidator(0)], initial=5
    )
    max_age = forms.IntegerField(
        label=_("Maximum age"), validators=[MaxValueValidator(99)], initial=12
    )

    def clean(self) -> dict:
        data = super().clean()
        min_age, max_age = data.get("min_age"), data.get("max_age")
        if min_age is not None and max_age is not None and min_age > max_age:
            self.add_error("max_age", _("The minimum age must not exceed the maximum age."))
        return data
