"""Forms of the casework. They validate what a person typed and keep it on error; the do_*
functions in casework_actions.py re-check what matters and save."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childfirst.accounts.models import User
from childfirst.areas.models import Area
from childfirst.plans.models import Department

from .access import creatable_areas
from .idnumber import parse_id_number
from .models import (
    Concern,
    MandatoryReport,
    ReportAction,
    ReportedSex,
    ReporterKind,
    RiskLevel,
    Sex,
    Urgency,
    VisitKind,
)
from .risk import current_checklist

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = {"rows": 4, "cols": 60}


class NotInFuture(forms.DateField):
    widget = DATE

    def validate(self, value: datetime.date | None) -> None:
        super().validate(value)
        if value and value > timezone.localdate():
            raise ValidationError(_("The date is in the future."))


class VisitForm(forms.Form):
    visited_on = NotInFuture(label=_("Date of the visit"), initial=timezone.localdate)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=VisitKind.choices, widget=forms.RadioSelect, initial=VisitKind.HOME
    )
    findings = forms.CharField(
        label=_("Findings"),
        max_length=5000,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("What you saw and heard: the child's situation, care, schooling, health."),
    )
    needs = forms.CharField(label=_("Needs"), max_length=5000, required=False, widget=forms.Textarea(attrs=TEXT))
    next_steps = forms.CharField(
        label=_("Next steps"), max_length=5000, required=False, widget=forms.Textarea(attrs=TEXT)
    )


class RiskAssessmentForm(forms.Form):
    """The checklist's items as one checkbox each, grouped as in data/risk_checklist.yaml."""

    assessed_on = NotInFuture(label=_("Date of the assessment"), initial=timezone.localdate)
    raised_to = forms.ChoiceField(
        label=_("Raise the level to (optional)"),
        choices=[("", _("— as the checklist gives —")), *RiskLevel.choices],
        required=False,
        help_text=_("Only when your judgement sees more risk than the checklist; the level is never lowered."),
    )
    raise_reason = forms.CharField(
        label=_("Reason for raising the level"), max_length=2000, required=False, widget=forms.Textarea(attrs=TEXT)
    )
    notes = forms.CharField(label=_("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs=TEXT))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.checklist = current_checklist()
        for item in self.checklist.items:
            # The weights ride along for the page's running score (risk_score.js); the server scores anew.
            attrs = {"data-weight": item.weight, **({"data-critical": "1"} if item.critical else {})}
            self.fields[f"item_{item.code}"] = forms.BooleanField(
                label=item.display, required=False, widget=forms.CheckboxInput(attrs=attrs)
            )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("raised_to") and not (data.get("raise_reason") or "").strip():
            self.add_error("raise_reason", _("Give the reason for raising the level."))
        return data

    def ticked(self) -> list[str]:
        return [item.code for item in self.checklist.items if self.cleaned_data.get(f"item_{item.code}")]

    def groups(self) -> list[tuple[str, list[tuple[forms.BoundField, object]]]]:
        """(heading, [(checkbox, checklist item)]) in the checklist's order."""
        return [
            (group.display, [(self[f"item_{item.code}"], item) for item in items])
            for group, items in self.checklist.grouped()
        ]


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Review note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Required when returning the assessment."),
    )


class NoteForm(forms.Form):
    """A dated note: a follow-up of assistance, a referral's progress."""

    date = NotInFuture(label=_("Date"), initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class CloseForm(forms.Form):
    """Closing something with a required text (a task's note, a referral's or report's outcome)."""

    note = forms.CharField(label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))

    def __init__(self, *args, label: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["note"].label = label


class AssistanceForm(forms.Form):
    helper_name = forms.CharField(label=_("Helper"), max_length=50)
    helper_organisation = forms.CharField(label=_("Organisation"), max_length=100, required=False)
    helper_contact = forms.CharField(label=_("Contact"), max_length=50, required=False)
    plan = forms.CharField(label=_("Assistance plan"), max_length=5000, widget=forms.Textarea(attrs=TEXT))
    start_date = forms.DateField(label=_("Start date"), widget=DATE, initial=timezone.localdate)


class AssistanceCloseForm(forms.Form):
    closed_on = NotInFuture(label=_("Closed on"), initial=timezone.localdate)
    note = forms.CharField(label=_("Result"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class ReferralForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    reason = forms.CharField(
        label=_("Reason"),
        max_length=5000,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_(
            "What the department should do. The department sees this, the child's name, age, sex and community."
        ),
    )

    def __init__(self, *args, district: Area, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(area=district)


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
        self.fields["community"].queryset = (
            Area.objects.valid_on().communities().select_related("parent").order_by("code")
        )
        self.fields["community"].label_from_instance = lambda a: f"{a.parent.display_name} · {a.display_name}"

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
        self.fields["residence_area"].queryset = creatable_areas(user)
        if not report.child_id_hash:
            del self.fields["use_report_id"]
