"""Forms of the child-file pages. They check what was typed (the ID number against the sex and
date of birth, with the position of each problem); rules between records are actions.py's."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from childfirst.accounts.models import Role, User
from childfirst.areas.models import Area
from childfirst.registry.models import CategoryType, Child, ChildStatus, ExitReason, Grade, GuardianRelation, Sex

from .access import grantable_areas
from .actions import EDITABLE_FIELDS, MAX_PHOTO_BYTES, ChildData, GuardianData, grant_too_long
from .idnumber import parse_id_number
from .names import check_name

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PHONE = RegexValidator(
    r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$",
    _("Enter a mobile number (11 digits starting with 1) or a landline with its area code, e.g. 0577-88881234."),
)


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return obj.display_name


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CategoryType) -> str:
        return f"— {obj.display_name}" if obj.parent_id else obj.display_name


class PlainSelect(forms.Select):
    """A <select> written in Python with the markup of Django's templates (select.html, and an
    include of select_option.html per option): through the template engine the list page's filter
    selects cost more CPU than the page's fifty rows (issue 16)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group, options, _index in widget["optgroups"]:
            html = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((str(o["value"]), flatatt(o["attrs"]), o["label"]) for o in options),
            )
            parts.append(format_html('<optgroup label="{}">{}</optgroup>', group, html) if group else html)
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe("".join(parts)),  # noqa: S308 (built by format_html)
        )


class CategoriesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: CategoryType) -> str:
        return f"{obj.parent.display_name}：{obj.display_name}" if obj.parent is not None else obj.display_name


def district_communities() -> Any:
    return Area.objects.valid_on().communities().order_by("code")


class ChildForm(forms.Form):
    """Opening a file (with a first guardian and categories) or editing one (`child` given)."""

    name = forms.CharField(label=_("Name"), max_length=50, validators=[check_name])
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DATE)
    birth_date_estimated = forms.BooleanField(
        label=_("The date of birth is estimated"),
        required=False,
        help_text=_("Only when the exact date is not known (a foundling); an ID number gives the exact date."),
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "text"}),
        help_text=_(
            "18 characters (an old 15-digit number is converted). Empty for a child without household registration."
        ),
    )
    residence_area = AreaChoiceField(label=_("Community of residence"), queryset=Area.objects.none())
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    hukou_area = AreaChoiceField(
        label=_("Household registration (community)"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("— outside the district —"),
    )
    hukou_place = forms.CharField(
        label=_("Household registration elsewhere"),
        max_length=120,
        required=False,
        help_text=_("province, city and county of a registration outside the district"),
    )
    school = forms.CharField(label=_("School"), max_length=100, required=False)
    grade = forms.ChoiceField(label=_("Grade"), choices=[("", "—"), *Grade.choices], required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Creation only: the first guardian and the categories.
    guardian_name = forms.CharField(label=_("Guardian's name"), max_length=50, required=False, validators=[check_name])
    guardian_relation = forms.ChoiceField(
        label=_("Relation"), choices=[("", "—"), *GuardianRelation.choices], required=False
    )
    guardian_phone = forms.CharField(label=_("Guardian's phone"), max_length=20, required=False, validators=[PHONE])
    categories = CategoriesField(
        label=_("Categories"),
        queryset=CategoryType.objects.select_related("parent"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    categories_since = forms.DateField(label=_("In these categories since"), widget=DATE, required=False)
    categories_evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("documents seen, decisions, certificates"),
    )

    CREATE_ONLY = (
        "guardian_name",
        "guardian_relation",
        "guardian_phone",
        "categories",
        "categories_since",
        "categories_evidence",
    )

    def __init__(self, *args: Any, user: User, child: Child | None = None, **kwargs: Any):
        from .access import creatable_areas

        self.child = child
        if child is not None and not kwargs.get("data"):
            kwargs["initial"] = {
                **{
                    name: getattr(child, name)
                    for name in (
                        "name",
                        "sex",
                        "birth_date",
                        "birth_date_estimated",
                        "address",
                        "hukou_place",
                        "school",
                        "grade",
                        "note",
                    )
                },
                "residence_area": child.residence_area_id,
                "hukou_area": child.hukou_area_id,
                "version": child.version,
            }
        super().__init__(*args, **kwargs)
        cast(AreaChoiceField, self.fields["hukou_area"]).queryset = district_communities()
        residence_area = cast(AreaChoiceField, self.fields["residence_area"])
        if child is None:
            areas = creatable_areas(user).order_by("code")
            residence_area.queryset = areas
            only = areas[:2]
            if len(only) == 1:  # a community director: their own community
                self.fields["residence_area"].initial = only[0].pk
            self.fields["categories_since"].initial = timezone.localdate()
        else:
            # A move inside the district keeps the file; the new community's keepers take it over.
            residence_area.queryset = district_communities()
            self.fields["residence_area"].help_text = _(
                "A move to another community of the district hands the file over to its keepers."
            )
            self.fields["id_number"].help_text = _(
                "Stored encrypted; leave empty to keep it, or type a corrected number."
            )
            self.fields["id_number"].label = _("Correct the ID number")
            self.fields["version"].required = True
            for name in self.CREATE_ONLY:
                del self.fields[name]

    def sections(self) -> list[tuple[str | Promise, list[forms.BoundField]]]:
        """The visible fields under their headings: the child, then (on opening a file) the first
        guardian and the categories."""
        guardian = [
            self[name] for name in ("guardian_name", "guardian_relation", "guardian_phone") if name in self.fields
        ]
        categories = [
            self[name] for name in ("categories", "categories_since", "categories_evidence") if name in self.fields
        ]
        child = [f for f in self.visible_fields() if f not in guardian and f not in categories]
        sections: list[tuple[str | Promise, list[forms.BoundField]]] = [(_("The child"), child)]
        if guardian:
            sections += [(_("Guardian"), guardian), (_("Categories"), categories)]
        return sections

    def clean_birth_date(self) -> datetime.date:
        value = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise ValidationError(_("The date of birth is in the future."))
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean() returns
        raw = (data.get("id_number") or "").strip()
        if raw and data.get("birth_date") and data.get("sex"):
            try:
                data["id_number"] = parse_id_number(raw, birth_date=data["birth_date"], sex=data["sex"]).number
            except ValidationError as exc:
                self.add_error("id_number", exc.messages)
        if self.child is None:
            if data.get("guardian_name") and not data.get("guardian_relation"):
                self.add_error("guardian_relation", _("Choose the guardian's relation to the child."))
            if data.get("categories") and not data.get("categories_since"):
                self.add_error("categories_since", _("Give the date from which the categories apply."))
            if data.get("categories_since") and data["categories_since"] > timezone.localdate():
                self.add_error("categories_since", _("The start date is in the future."))
        return data

    def child_data(self) -> ChildData:
        data = self.cleaned_data
        guardians = []
        if data.get("guardian_name"):
            guardians.append(
                GuardianData(data["guardian_name"], data["guardian_relation"], data.get("guardian_phone", ""), True)
            )
        since = data.get("categories_since") or timezone.localdate()
        return ChildData(
            name=data["name"],
            sex=data["sex"],
            birth_date=data["birth_date"],
            birth_date_estimated=data.get("birth_date_estimated", False),
            residence_area=data["residence_area"],
            id_number=data.get("id_number") or "",
            hukou_area=data.get("hukou_area"),
            hukou_place=data.get("hukou_place", ""),
            address=data.get("address", ""),
            school=data.get("school", ""),
            grade=data.get("grade", ""),
            note=data.get("note", ""),
            guardians=guardians,
            categories=[
                (category, since, data.get("categories_evidence", "")) for category in data.get("categories") or []
            ],
        )

    def changes(self) -> dict[str, Any]:
        """The edited fields, as do_update_child takes them."""
        return {name: self.cleaned_data.get(name) for name in EDITABLE_FIELDS}


class GuardianForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50, validators=[check_name])
    relation = forms.ChoiceField(label=_("Relation"), choices=GuardianRelation.choices)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False, validators=[PHONE])
    is_primary = forms.BooleanField(label=_("Primary guardian"), required=False)

    def guardian_data(self) -> GuardianData:
        return GuardianData(**self.cleaned_data)


class CategoryForm(forms.Form):
    type = CategoryChoiceField(label=_("Category"), queryset=CategoryType.objects.all())
    start = forms.DateField(label=_("Since"), widget=DATE)
    evidence = forms.CharField(label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EndCategoryForm(forms.Form):
    end = forms.DateField(label=_("Ends on"), widget=DATE, help_text=_("first day it no longer applies"))


class ExitForm(forms.Form):
    exit_reason = forms.ChoiceField(label=_("Reason"), choices=ExitReason.choices, widget=forms.RadioSelect)
    exit_date = forms.DateField(label=_("Date"), widget=DATE)
    exit_note = forms.CharField(label=_("Note"), max_length=200, required=False)


class RevealForm(forms.Form):
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=200,
        min_length=2,
        help_text=_("Why the full number is needed, e.g. applying for a subsidy. Logged."),
    )


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Photo (JPEG or PNG, at most 2 MB)"))

    def clean_photo(self) -> bytes:
        upload = self.cleaned_data["photo"]
        if upload.size > MAX_PHOTO_BYTES:
            raise ValidationError(_("The photo is larger than 2 MB."))
        return upload.read()


class SearchForm(forms.Form):
    """The list's search and filters. Sent by POST so names and ID numbers never reach a URL."""

    q = forms.CharField(
        label=_("Name, pinyin or ID number"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    community = AreaChoiceField(
        label=_("Community"), queryset=Area.objects.none(), required=False, empty_label=_("all"), widget=PlainSelect
    )
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=CategoryType.objects.all(),
        required=False,
        empty_label=_("all"),
        widget=PlainSelect,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("all")), *ChildStatus.choices],
        required=False,
        initial=ChildStatus.ACTIVE,
        widget=PlainSelect,
    )
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    # Where the pager's buttons lead (search.ListPage): a file's internal id and a page number.
    cursor = forms.RegexField(
        regex=r"^[ab][1-9][0-9]{0,17}-[1-9][0-9]{0,8}$",
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("This link to a page of the list is not valid.")},
    )

    def __init__(self, *args: Any, communities: Sequence[Area], show_categories: bool, **kwargs: Any):
        """`communities`: those the user's files can be in, in code order, as the view read them
        (the list walks them): the filter's options are made from them, not read again."""
        super().__init__(*args, **kwargs)
        community = cast(AreaChoiceField, self.fields["community"])
        # What a posted choice is checked against (a query only when one is posted).
        community.queryset = Area.objects.filter(pk__in=[area.pk for area in communities])
        community.choices = [
            ("", community.empty_label),
            *((a.pk, community.label_from_instance(a)) for a in communities),
        ]
        self.communities = communities
        self.areas: list[tuple[int, str]] = [(area.pk, area.code) for area in communities]
        if not show_categories:
            del self.fields["category"]
        else:
            # A plain query (a model choice field iterates through a server-side cursor: 3 round trips).
            category = cast(CategoryChoiceField, self.fields["category"])
            category.choices = [
                ("", category.empty_label),
                *((c.pk, category.label_from_instance(c)) for c in CategoryType.objects.all()),
            ]


class ExportForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the export"),
        max_length=200,
        min_length=2,
        help_text=_("Recorded with the export, and written into the file's header."),
    )


class GrantForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Office user"), queryset=User.objects.none())
    area = AreaChoiceField(label=_("Area"), queryset=Area.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=200, min_length=2)
    expires_on = forms.DateField(label=_("Until (last day)"), widget=DATE)

    def __init__(self, *args: Any, scope: Area | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        office_users = User.objects.filter(role=Role.OFFICE, is_active=True).order_by("username")
        areas = grantable_areas()
        if scope is not None:
            above = [area.code for area in scope.ancestors()] + [scope.code]
            office_users = office_users.filter(Q(area__isnull=True) | Q(area__code__in=above))
            areas = areas.filter(code__startswith=scope.code)
        cast("forms.ModelChoiceField[User]", self.fields["user"]).queryset = office_users
        cast(AreaChoiceField, self.fields["area"]).queryset = areas.order_by("code")
        self.fields["expires_on"].help_text = _("at most %(days)s days from today") % {
            "days": settings.REGISTRY_GRANT_MAX_DAYS
        }

    def clean_expires_on(self) -> datetime.date:
        # Checked here, before any date arithmetic: a far date (9999-12-31) would overflow it.
        value: datetime.date = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if value < today:
            raise ValidationError(_("The end of the access is in the past."))
        if value >= today + datetime.timedelta(days=settings.REGISTRY_GRANT_MAX_DAYS):  # access ends the next midnight
            raise ValidationError(grant_too_long(timezone.now()))
        return value

    def expires_at(self) -> datetime.datetime:
        day = self.cleaned_data["expires_on"] + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class RejectGrantForm(forms.Form):
    rejection_reason = forms.CharField(label=_("Reason for the rejection"), max_length=200, min_length=2)
