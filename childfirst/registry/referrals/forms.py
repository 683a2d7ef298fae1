"""The form to refer a child's file to a department."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from childfirst.areas.models import Area
from childfirst.plans.models import Department
from childfirst.registry.casework.forms import TEXT


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
        department = cast("forms.ModelChoiceField[Department]", self.fields["department"])
        department.queryset = Department.objects.filter(area=district)
