"""Forms of the mandatory reports: the intake, and the street's triage."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from childfirst.accounts.models import User
from childfirst.areas.models import Area, Level
from childfirst.registry.casework.forms import NotInFuture
from childfirst.registry.children.access import creatable_areas
from childfirst.registry.children.actions import ADULT_AGE
from childfirst.registry.children.idnumber import parse_id_number
from childfirst.registry.children.names import UNKNOWN_NAME, is_unknown_name
from childfirst.registry.mandatory.intake import estimated_birth_date
from childfirst.registry.models import (
    AgeUnit,
    Concern,
    MandatoryReport,
    ReportAction,
    ReportedSex,
    ReporterKind,
    Sex,
    Urgency,
)

# An infant's age may be told in months; 17 years and 11 months is the most a child can be.
MAX_AGE_MONTHS = 215


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
    child_name = forms.CharField(
        label=_("Child's name"),
        max_length=50,
        required=False,
        help_text=_(
            "Leave empty if you do not know it (for example an abandoned infant): it is recorded as not known."
        ),
    )
    child_age = forms.IntegerField(
        label=_("Approximate age"),
        min_value=0,
        max_value=MAX_AGE_MONTHS,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("A guess is enough: 约 9 岁, or 约 6 个月 for an infant."),
    )
    child_age_unit = forms.ChoiceField(
        label=_("Age in"), choices=AgeUnit.choices, initial=AgeUnit.YEARS, widget=forms.RadioSelect, required=False
    )
    child_sex = forms.ChoiceField(label=_("Sex"), choices=ReportedSex.choices, initial=ReportedSex.UNKNOWN)
    child_id_number = forms.CharField(
        label=_("ID number (if known)"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    community = forms.ChoiceField(
        label=_("Community or village where the child is"),
        help_text=_(
            "If you know only the street or town, choose its “community not known” and describe the place below."
        ),
    )
    place = forms.CharField(
        label=_("Where exactly"),
        max_length=200,
        required=False,
        help_text=_("Address or description of the place (e.g. the gate of a school, a shop, a bus stop)."),
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
        cast(forms.ChoiceField, self.fields["community"]).choices = where_choices()

    def clean_child_id_number(self) -> str:
        raw = self.cleaned_data.get("child_id_number", "")
        if raw.strip():
            parse_id_number(raw)  # raises ValidationError naming the position, never the number
        return raw

    def clean_child_name(self) -> str:
        # 不详, 无名 … are no name: stored empty, so that no search or matcher takes them for one.
        name = self.cleaned_data.get("child_name", "")
        return "" if is_unknown_name(name) else name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        age, unit = data.get("child_age"), data.get("child_age_unit") or AgeUnit.YEARS
        data["child_age_unit"] = unit
        if age is not None and unit == AgeUnit.YEARS and age >= ADULT_AGE:
            self.add_error("child_age", _("A child is under 18: give the age in years below 18, or in months."))
        where = data.get("community")
        if where:
            community, street = resolve_where(where)
            if street is None:
                self.add_error(
                    "community", _("Choose the community or village, or the street's “community not known”.")
                )
            elif community is None and not (data.get("place") or "").strip():
                self.add_error("place", _("The community is not known: describe where the child is."))
            data["community"], data["street"] = community, street
        return data


def where_choices() -> list[tuple[str, Any]]:
    """The intake's places: per street (in groups), first "community not known" (the street alone,
    the place described in words), then its communities. Areas are public: nothing else is offered."""
    communities = Area.objects.valid_on().communities().select_related("parent").order_by("code")
    by_street: dict[Area, list[tuple[str, str]]] = {}
    for street in Area.objects.valid_on().streets().order_by("code"):
        by_street[street] = [
            (f"s{street.pk}", str(_("%(street)s · community not known") % {"street": street.display_name}))
        ]
    for community in communities:
        if community.parent in by_street:
            by_street[community.parent].append((str(community.pk), community.display_name))
    return [("", str(_("— choose —"))), *((street.display_name, options) for street, options in by_street.items())]


def resolve_where(value: str) -> tuple[Area | None, Area | None]:
    """(community or None, street) of a `community` choice: a community's pk, or "s" and a street's pk
    (the community not known); (None, None) when it names no current area."""
    kind, pk = ("s", value[1:]) if value.startswith("s") else ("c", value)
    if not pk.isdigit():
        return None, None
    area = Area.objects.valid_on().select_related("parent").filter(pk=int(pk)).first()
    if area is None:
        return None, None
    if kind == "c" and area.level == Level.COMMUNITY:
        return area, area.parent
    if kind == "s" and area.level == Level.STREET:
        return None, area
    return None, None


class ReportLinkForm(forms.Form):
    child = forms.IntegerField(widget=forms.HiddenInput)


class ReportStepForm(forms.Form):
    actions = forms.MultipleChoiceField(
        label=_("What was done"), choices=ReportAction.choices, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Note"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class NewFileForm(forms.Form):
    """Opening a file for a reported child: the supervisor checks and completes what the reporter
    gave (a report has an approximate age; a file needs the date of birth). Without an ID number the
    date is prefilled from the age and marked as estimated; a child whose name nobody knows gets 不详
    (never matched as a name)."""

    name = forms.CharField(
        label=_("Name"), max_length=50, help_text=_("Write 不详 if the name is not known; correct it when it is.")
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_date = NotInFuture(label=_("Date of birth"))
    birth_date_estimated = forms.BooleanField(
        label=_("The date of birth is estimated from the approximate age"), required=False
    )
    residence_area = forms.ModelChoiceField(label=_("Community of residence"), queryset=Area.objects.none())
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    use_report_id = forms.BooleanField(label=_("Use the ID number given in the report"), required=False, initial=True)

    def __init__(self, *args, report: MandatoryReport, user: User, **kwargs) -> None:
        estimate = estimated_birth_date(report)
        kwargs.setdefault(
            "initial",
            {
                "name": report.child_name or UNKNOWN_NAME,
                "sex": report.child_sex if report.child_sex in Sex.values else "",
                "birth_date": estimate,
                "birth_date_estimated": estimate is not None and not report.child_id_hash,
                "residence_area": report.community_id,
                "address": report.place,
            },
        )
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Area]", self.fields["residence_area"]).queryset = creatable_areas(user)
        if not report.child_id_hash:
            del self.fields["use_report_id"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("birth_date_estimated") and data.get("use_report_id"):
            # The ID number holds the exact date; it is checked against the date given.
            self.add_error(
                "birth_date_estimated",
                _("The ID number gives the exact date of birth: enter that date and untick “estimated”."),
            )
        return data
