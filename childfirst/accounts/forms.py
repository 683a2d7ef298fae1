"""The office's account form: role and a scope inside its own district. The rules of which scope
fits which role are the model's (User.clean), applied by the actions."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childfirst.areas.models import Area
from childfirst.plans.models import Department

from .models import Role, User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Model fields a ValidationError of the actions may name, and the form field showing each.
FIELD_OF = {"username": "username", "role": "role", "department": "department", "area": "area",
            "access_expires_at": "expires_on", "password": "password", "phone": "phone"}  # fmt: skip


class AreaChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        indent = {"district": "", "street": "\u3000", "community": "\u3000\u3000"}.get(obj.level, "")
        return f"{indent}{obj.display_name}"


class AccountForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices])
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("Department reporters and reviewers only."),
    )
    area = AreaChoice(
        label=_("Area"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("Street supervisors: a street; community directors: a community; others: the district."),
    )
    expires_on = forms.DateField(
        label=_("Last day of access"),
        required=False,
        widget=DATE,
        help_text=_("Required for third-party evaluators."),
    )
    phone = forms.CharField(label=_("Work phone"), max_length=30, required=False)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to have one generated; it is shown to you once."),
    )

    def __init__(self, district: Area | None, *args: Any, account: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = Area.objects.within(district) if district else Area.objects.all()
        departments = Department.objects.filter(area__in=areas)
        cast(forms.ModelChoiceField, self.fields["area"]).queryset = areas.order_by("code")
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = departments
        if account is not None:  # editing: the user name and the password are not changed here
            del self.fields["username"], self.fields["password"]
            self.initial.update(
                full_name=account.first_name, role=account.role, department=account.department,
                area=account.area, phone=account.phone,
                expires_on=(timezone.localtime(account.access_expires_at) - datetime.timedelta(days=1)).date()
                if account.access_expires_at else None,
            )  # fmt: skip
        elif district is not None:
            self.initial.setdefault("area", district)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This user name is taken."))
        return username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # A department decides the scope of department roles; an area set as well would be refused
        # by the model, so the form drops the district default rather than fail on it.
        if cleaned.get("role") in {Role.DEPT_REPORTER, Role.DEPT_REVIEWER} and cleaned.get("department"):
            cleaned["area"] = None
        return cleaned

    def expires_at(self) -> datetime.datetime | None:
        """Access ends at the end of the chosen day (as `childfirst user create --expires`)."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))

    def attach(self, error: Any) -> None:
        """Show an action's ValidationError beside the fields it names."""
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                field = FIELD_OF.get(name)
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        else:
            for message in error.messages:
                self.add_error(None, message)
