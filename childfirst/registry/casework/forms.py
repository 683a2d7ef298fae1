"""Forms of the casework. They validate what a person typed and keep it on error; the do_*
functions in each job's actions.py re-check what matters and save."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childfirst.registry.models import (
    RiskLevel,
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
        super().clean()
        data = self.cleaned_data  # what Form.clean() returns
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
