"""Forms of the mandatory reports: the intake, and the street's triage."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from childfirst.accounts.models import User
from childfirst.areas.models import Area
from childfirst.registry.casework.forms import NotInFuture
from childfirst.registry.children.access import creatable_areas
from childfirst.registry.children.idnumber import parse_id_number
from childfirst.registry.models import (
    Concern,
    MandatoryReport,
    ReportAction,
    ReportedSex,
    ReporterKind,
    Sex,
    Urgency,
)


class MandatoryReportForm(forms.Form):
    """The intake form, for the public page and signed-in users alike. Nothing in it reveals any
    stored data: the only choices offered are the areas, which are public."""

    reporter_institution = forms.CharField(
        label=_("Your institution"), max_length=100, help_text=_("e.g. the school, hospital or committee")
    )
    reporter_kind = forms.ChoiceField(label=_("Kind of institution"), choices=ReporterKind.choices)
    reporter_name = forms.CharField(label=_("Your name"), max_length=50)
    reporter_phone = forms.CharField(
        label=_("Your phone"), max_length=20, help_text=_("The street's child supervisor may call you back.")
    )
    child_name = forms.CharField(label=_("Child's name"), max_length=50)
    child_age = forms.IntegerField(label=_("Approximate age"), min_value=0, max_value=17, required=False)
    child_sex = forms.ChoiceField(label=_("Sex"), choices=ReportedSex.choices, initial=ReportedSex.UNKNOWN)
    child_id_number = forms.CharField(
        label=_("ID number (if known)"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    community = forms.ModelChoiceField(
        label=_("Community or village where the child is"), queryset=Area.objects.none(), empty_label=_("— choose —")
    )
    concerns = forms.MultipleChoiceField(
        label=_("Kind of harm or danger"), choices=Concern.choices, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(
        label=_("Describe what you saw or were told"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 60}),
        help_text=_("When, where, who; what the child said in their own words. No need to investigate."),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        community = cast("forms.ModelChoiceField[Area]", self.fields["community"])
        community.queryset = Area.objects.valid_on().communities().select_related("parent").order_by("code")

        def label(obj: Area) -> str:
            assert obj.parent is not None  # a community always lies in a street
            return f"{obj.parent.display_name} · {obj.display_name}"

        community.label_from_instance = label  # type: ignore[method-assign]  # Django's per-field label hook

    def clean_child_id_number(self) -> str:
        raw = self.cleaned_data.get("child_id_number", "")
        if raw.strip():
            parse_id_number(raw)  # raises ValidationError naming the position, never the number
        return raw


class ReportLinkForm(forms.Form):
    child = forms.IntegerField(widget=forms.HiddenInput)


class ReportStepForm(forms.Form):
    actions = forms.MultipleChoiceField(
        label=_("What was done"), choices=ReportAction.choices, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Note"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class NewFileForm(forms.Form):
    """Opening a file for a reported child: the supervisor checks and completes what the reporter
    gave (a report has an approximate age; a file needs the date of birth)."""

    name = forms.CharField(label=_("Name"), max_length=50)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_date = NotInFuture(label=_("Date of birth"))
    residence_area = forms.ModelChoiceField(label=_("Community of residence"), queryset=Area.objects.none())
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    use_report_id = forms.BooleanField(label=_("Use the ID number given in the report"), required=False, initial=True)

    def __init__(self, *args, report: MandatoryReport, user: User, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "name": report.child_name,
                "sex": report.child_sex if report.child_sex in Sex.values else "",
                "residence_area": report.community_id,
            },
        )
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Area]", self.fields["residence_area"]).queryset = creatable_areas(user)
        if not report.child_id_hash:
            del self.fields["use_report_id"]
