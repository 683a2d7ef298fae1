"""The forms of recommendations and good practices. They validate what was typed; the do_* actions save.
Choices are narrowed to the plan: its indicators, its district's departments and streets."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from childfirst.areas.models import Area
from childfirst.plans.models import Department, Indicator, Plan

from .models import RecommendationSource
from .personal_data import find_personal_data, parts_of

TEXT_MAX = 20_000
FILES_MAX = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); each is checked by documents.py in the
    action, the form only bounds how many."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > FILES_MAX:
            raise forms.ValidationError(_("Attach at most %(count)d files at once.") % {"count": FILES_MAX})
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def _indicator_label(indicator: Indicator) -> str:
    return f"{indicator.code} {indicator.display_name}"


def _streets(plan: Plan) -> Any:
    return Area.objects.within(plan.area).streets().valid_on()


class RecommendationForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("followup", "Title"), max_length=200)
    text = forms.CharField(label=_("Recommendation"), widget=forms.Textarea(attrs={"rows": 6}), max_length=TEXT_MAX)
    source = forms.ChoiceField(label=_("Arising from"), choices=RecommendationSource.choices)
    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=Indicator.objects.none(), required=False)
    area = forms.ModelChoiceField(label=_("Street/town it concerns"), queryset=Area.objects.none(), required=False)
    year = forms.IntegerField(label=_("Monitoring year"), min_value=2000, max_value=2100)
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    departments = forms.ModelMultipleChoiceField(
        label=_("Addressed to departments"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    streets = forms.ModelMultipleChoiceField(
        label=_("Addressed to streets/towns"),
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, plan: Plan, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        indicator_field: Any = self.fields["indicator"]
        indicator_field.queryset = Indicator.objects.filter(plan=plan).active().order_by("code")
        indicator_field.label_from_instance = _indicator_label
        indicator_field.to_field_name = "code"  # ?indicator=CODE prefills it; codes are not personal
        area_field: Any = self.fields["area"]
        area_field.queryset = _streets(plan)
        area_field.to_field_name = "code"
        departments: Any = self.fields["departments"]
        departments.queryset = Department.objects.filter(area=plan.area).order_by("code")
        streets: Any = self.fields["streets"]
        streets.queryset = _streets(plan)

    def clean_due_date(self) -> datetime.date:
        due: datetime.date = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("The due date is in the past."))
        return due

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("departments") and not data.get("streets") and not self.errors.get("departments"):
            self.add_error("departments", _("Choose at least one department or street/town to address."))
        source = data.get("source")
        if source == RecommendationSource.WARNING and not data.get("indicator") and "indicator" not in self.errors:
            self.add_error("indicator", _("Name the indicator whose warning this arises from."))
        if source == RecommendationSource.STREET and not data.get("area") and "area" not in self.errors:
            self.add_error("area", _("Name the street/town this arises from."))
        return data


class ResponseForm(forms.Form):
    action_taken = forms.CharField(
        label=_("Action taken"), widget=forms.Textarea(attrs={"rows": 6}), max_length=TEXT_MAX
    )
    evidence = MultipleFileField(
        label=pgettext_lazy("followup", "Evidence"),
        help_text=_("PDF, Word (.docx), PNG or JPEG; checked by content and size."),
    )


class PracticeForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=pgettext_lazy("followup", "Title"), max_length=200)
    text = forms.CharField(
        label=_("What was done and what it achieved"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=TEXT_MAX,
        help_text=_("No ID numbers and no children's names: the text is published."),
    )
    indicators = forms.ModelMultipleChoiceField(
        label=_("Related indicators"),
        queryset=Indicator.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    photos = MultipleFileField(label=_("Photos"), help_text=_("PNG or JPEG; location and camera data are removed."))
    no_faces = forms.BooleanField(
        label=_("No child's face can be recognised on these photos."),
        required=False,
    )

    def __init__(self, plan: Plan, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        indicators: Any = self.fields["indicators"]
        indicators.queryset = Indicator.objects.filter(plan=plan).active().order_by("code")
        indicators.label_from_instance = _indicator_label

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "title" in data and "text" in data:
            for problem in find_personal_data(parts_of(data["title"], data["text"])):
                self.add_error(None, problem)
        if data.get("photos") and not data.get("no_faces"):
            self.add_error("no_faces", _("Confirm that no child's face can be recognised on the photos."))
        return data
