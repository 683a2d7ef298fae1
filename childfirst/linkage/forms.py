"""The office's forms: uploading a department list, and two lists to compare."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .sources import sources


class ListUploadForm(forms.Form):
    source = forms.ChoiceField(label=_("List"))
    as_of = forms.DateField(
        label=_("As of"),
        help_text=_("the date the department drew the list up"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    file = forms.FileField(label=_("File (CSV or Excel .xlsx)"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["source"]).choices = [
            (key, source.display_name) for key, source in sources().items()
        ]
        self.fields["as_of"].initial = timezone.localdate()

    def clean_as_of(self):
        as_of = self.cleaned_data["as_of"]
        if as_of > timezone.localdate():
            raise forms.ValidationError(_("The as-of date cannot be in the future."))
        return as_of


class PairForm(forms.Form):
    left = forms.FileField(label=_("First list (CSV or Excel .xlsx)"))
    right = forms.FileField(label=_("Second list (CSV or Excel .xlsx)"))
    id_column = forms.CharField(
        label=_("Id column"),
        required=False,
        max_length=100,
        help_text=_("the column holding each record's own id; empty: the first column"),
    )
