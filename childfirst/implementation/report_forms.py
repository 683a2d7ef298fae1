"""The implementation report's form: every item's fields, parsed and checked together, so that a
refused form comes back with what was typed and each problem beside its field. The Word upload uses
the same field rules (`clean_field`), so a value means the same whichever way it arrives."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ReportItem
from .report_actions import ITEM_FIELDS, ItemInput
from .reports import item_label

TEXT_LIMIT = 5000  # characters per field: a page of text; longer belongs in an attached document
SUMMARY_LIMIT = 10000
FUND_FIELDS = ("funds_budgeted", "funds_spent")
FIELD_LABELS = {
    "work_done": gettext_lazy("Work done"),
    "results": gettext_lazy("Results"),
    "funds_budgeted": gettext_lazy("Funds budgeted (10,000 yuan)"),
    "funds_spent": gettext_lazy("Funds spent (10,000 yuan)"),
    "problems": gettext_lazy("Problems"),
    "next_year": gettext_lazy("Next year's plan"),
}
_MAX_FUNDS = Decimal("999999999999.99")


def parse_funds(text: str) -> Decimal | None:
    """An amount in 万元: digits with at most two decimals, thousands separators and a trailing 万元
    allowed; empty is None. ValueError with the reason otherwise."""
    cleaned = re.sub(r"[,，\s]", "", text or "").replace("．", ".")
    cleaned = re.sub(r"(万元|万)$", "", cleaned)
    if not cleaned:
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(
            _("“%(text)s” is not a number (write an amount in 10,000 yuan, e.g. 12.5).") % {"text": text.strip()[:40]}
        ) from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(_("an amount cannot be negative."))
    if amount > _MAX_FUNDS:
        raise ValueError(_("the amount is too large."))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(_("give the amount with at most two decimals."))
    return amount.quantize(Decimal("0.01"))


def clean_field(name: str, raw: str) -> str | Decimal | None:
    """One item field's value from what was typed; ValueError with the reason if it is refused."""
    if name in FUND_FIELDS:
        return parse_funds(raw)
    text = (raw or "").replace("\r\n", "\n").strip()
    if len(text) > TEXT_LIMIT:
        raise ValueError(
            _("at most %(limit)d characters (this is %(count)d); attach a longer text as a document.")
            % {"limit": TEXT_LIMIT, "count": len(text)}
        )
    return text


def clean_summary(raw: str) -> str:
    text = (raw or "").replace("\r\n", "\n").strip()
    if len(text) > SUMMARY_LIMIT:
        raise ValueError(
            _("at most %(limit)d characters (this is %(count)d).") % {"limit": SUMMARY_LIMIT, "count": len(text)}
        )
    return text


def field_name(item: ReportItem, name: str) -> str:
    return f"item-{item.pk}-{name}"


@dataclass
class Problem:
    where: str  # the item's label, or "summary"
    field: str  # the field's label
    message: str
    anchor: str  # the input's id on the page


@dataclass
class FormRow:
    """One item on the page: its stored values, or what was typed when the form came back."""

    item: ReportItem
    label: str
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)

    def fields(self) -> list[tuple[str, str, str, str, str]]:
        """(name, input name, label, value, error) per field, in the form's order."""
        return [
            (n, field_name(self.item, n), str(FIELD_LABELS[n]), self.values.get(n, ""), self.errors.get(n, ""))
            for n in ITEM_FIELDS
        ]


def _shown(value: object) -> str:
    if value is None:
        return ""
    return f"{value}"


class ReportForm:
    """The items (in page order) with the stored values, or with posted `data` to check."""

    def __init__(self, items: list[ReportItem], summary: str, data: QueryDict | None = None):
        self.rows = [
            FormRow(
                item=i,
                label=item_label(i),
                values={
                    n: (data.get(field_name(i, n), "") if data is not None else _shown(getattr(i, n)))
                    for n in ITEM_FIELDS
                },
            )
            for i in items
        ]
        self.summary = data.get("summary", "") if data is not None else summary
        self.summary_error = ""
        self.cleaned: dict[int, ItemInput] = {}
        self.cleaned_summary = ""
        self.problems: list[Problem] = []

    def is_valid(self) -> bool:
        try:
            self.cleaned_summary = clean_summary(self.summary)
        except ValueError as exc:
            self.summary_error = str(exc)
            self.problems.append(Problem(_("Overall summary"), _("Overall summary"), str(exc), "summary"))
        for row in self.rows:
            entry = ItemInput()
            for name in ITEM_FIELDS:
                try:
                    setattr(entry, name, clean_field(name, row.values[name]))
                except ValueError as exc:
                    row.errors[name] = str(exc)
                    self.problems.append(
                        Problem(row.label, str(FIELD_LABELS[name]), str(exc), field_name(row.item, name))
                    )
            self.cleaned[row.item.pk] = entry
        return not self.problems
