"""Forms of the children's homes pages. Forms check what was typed;
the rules between records (one home per community, 1+N in one street …) are actions.py's."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .actions import MAX_ATTENDANCE, ActivityDetails, HomeDetails
from .models import ActivityKind, ChildrensHome, DemonstrationLevel, HomeType

# A date field's value must be ISO (yyyy-mm-dd) whatever the language, or the browser shows it empty.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HomeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    opened_on = forms.DateField(label=_("Opened on"), widget=DATE)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def details(self) -> HomeDetails:
        return HomeDetails(**self.cleaned_data)


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=_("Closed on"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class TypeForm(forms.Form):
    home_type = forms.ChoiceField(label=_("Type"), choices=HomeType.choices)
    level = forms.ChoiceField(
        label=_("Demonstration level"), choices=[("", "—"), *DemonstrationLevel.choices], required=False
    )
    recognised_on = forms.DateField(label=_("Recognised on"), widget=DATE, required=False)


class LinkForm(forms.Form):
    led_by = forms.ModelChoiceField(
        label=_("Led by (demonstration home)"),
        queryset=ChildrensHome.objects.none(),
        required=False,
        empty_label=_("— none —"),
    )

    def __init__(self, *args, home: ChildrensHome, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer the open demonstration homes of the street; the action checks again on save.
        led_by = cast("forms.ModelChoiceField[ChildrensHome]", self.fields["led_by"])
        led_by.queryset = (
            ChildrensHome.objects.in_street(home.street_code)
            .filter(home_type=HomeType.DEMONSTRATION, closed_on__isnull=True)
            .exclude(pk=home.pk)
            .select_related("community")
        )

        def label(obj: ChildrensHome) -> str:
            return f"{obj.name}（{obj.community.name}）"

        led_by.label_from_instance = label  # type: ignore[method-assign]  # Django's per-field label hook


class StandardItemForm(forms.Form):
    met_on = forms.DateField(label=_("In place since"), widget=DATE)
    evidence = forms.CharField(label=_("Evidence"), max_length=300)


class ActivityForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    title = forms.CharField(label=_("Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    attendance = forms.IntegerField(label=_("Children attending"), min_value=0, max_value=MAX_ATTENDANCE)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Counts only: do not write children's names here."),
    )

    def details(self) -> ActivityDetails:
        return ActivityDetails(**self.cleaned_data)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
