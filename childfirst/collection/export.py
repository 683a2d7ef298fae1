"""Data values of one year as CSV: one row per indicator × area, stored values and the district
totals derived from them (marked derived, never stored).

Shared by `childfirst data export` and, later, the web. The file starts with a byte-order mark so
that Excel opens the Chinese names correctly. It holds figures and their provenance only: no
comments (free text a reporter may have typed anything into), no user names, nothing personal.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from typing import Protocol

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from childfirst.plans.models import Plan
from childfirst.spreadsheet import csv_writer

from .models import Channel, DataValue, ReportingRound, SubmissionState
from .scope import streets_in_year
from .totals import district_totals

COLUMNS = [
    "year",
    "indicator_code",
    "indicator_name",
    "unit",
    "area_code",
    "area_name",
    "value",
    "numerator",
    "denominator",
    "missing_reason",
    "state",
    "derived",
    "updated_at",
    "channel",
]
COLUMN_HELP = {
    "year": "the data year of the round",
    "indicator_code": "the catalogue code, e.g. X-01",
    "indicator_name": "the indicator's name (Chinese)",
    "unit": "% ‰ per_1000_children per_1000_population per_100000 count pp",
    "area_code": "GB/T 2260 district code, or the street/town's 9-digit code",
    "area_name": "the area's name (Chinese)",
    "value": "the figure in the indicator's unit; empty when missing",
    "numerator": "for rates: the numerator",
    "denominator": "for rates: the denominator",
    "missing_reason": "why there is no figure, when there is none",
    "state": "the submission's state: draft, submitted, returned, approved, accepted",
    "derived": "yes: a district total computed from the streets' values (counts summed, rates from "
    "summed numerators and denominators), never stored; no: a stored value",
    "updated_at": "when the value last changed (for a derived row, the latest of its streets)",
    "channel": "how the value arrived: web, excel, api, system (empty for derived rows)",
}

# The web download's headers, in the reader's language (the command keeps COLUMNS, which scripts read).
COLUMN_LABELS = {
    "year": gettext_lazy("Year"),
    "indicator_code": gettext_lazy("Indicator code"),
    "indicator_name": gettext_lazy("Indicator"),
    "unit": gettext_lazy("Unit"),
    "area_code": gettext_lazy("Area code"),
    "area_name": gettext_lazy("Area"),
    "value": gettext_lazy("Value"),
    "numerator": gettext_lazy("Numerator"),
    "denominator": gettext_lazy("Denominator"),
    "missing_reason": gettext_lazy("Reason for missing"),
    "state": gettext_lazy("Submission state"),
    "derived": gettext_lazy("Derived district total"),
    "updated_at": gettext_lazy("Last changed"),
    "channel": gettext_lazy("Channel"),
}


class NoRound(LookupError):
    """There is no reporting round for the year asked."""


@dataclass(frozen=True)
class ExportRow:
    year: int
    indicator_code: str
    indicator_name: str
    unit: str
    area_code: str
    area_name: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    missing_reason: str
    state: str
    derived: bool
    updated_at: datetime.datetime | None
    channel: str

    def as_csv(self) -> list[str]:
        return [
            str(self.year),
            self.indicator_code,
            self.indicator_name,
            self.unit,
            self.area_code,
            self.area_name,
            _plain(self.value),
            _plain(self.numerator),
            _plain(self.denominator),
            self.missing_reason,
            self.state,
            "yes" if self.derived else "no",
            timezone.localtime(self.updated_at).isoformat(timespec="seconds") if self.updated_at else "",
            self.channel,
        ]

    def as_labelled_csv(self) -> list[str]:
        """as_csv with the state, the derived flag and the channel in the reader's language."""
        row = self.as_csv()
        row[COLUMNS.index("state")] = _label(SubmissionState, self.state)
        row[COLUMNS.index("derived")] = _("yes") if self.derived else _("no")
        row[COLUMNS.index("channel")] = _label(Channel, self.channel)
        return row


def _label(choices: type[models.TextChoices], code: str) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code


def _plain(number: Decimal | None) -> str:
    """A number as people write it: no exponent, no trailing zeros."""
    if number is None:
        return ""
    return format(number.normalize(), "f")


def export_rows(plan: Plan, year: int) -> Iterator[ExportRow]:
    """Every stored value of the plan's round for `year`, and each per-street indicator's derived
    district total just before its streets, in catalogue order. NoRound (at once, before any row)
    when there is no round."""
    reporting_round = ReportingRound.objects.filter(plan=plan, year=year).first()
    if reporting_round is None:
        raise NoRound(_("There is no %(year)s reporting round for %(plan)s.") % {"year": year, "plan": plan.name})
    return _rows(plan, reporting_round)


def _rows(plan: Plan, reporting_round: ReportingRound) -> Iterator[ExportRow]:
    values = list(
        DataValue.objects.filter(round=reporting_round)
        .select_related("indicator__domain", "area", "submission")
        .order_by("indicator__domain__number", "indicator__order", "area__code")
    )
    year = reporting_round.year
    totals = district_totals(values, {reporting_round.pk: len(streets_in_year(plan, year))})
    for indicator_id, group in groupby(values, key=lambda v: v.indicator_id):
        stored = list(group)
        indicator = stored[0].indicator
        total = totals.get((indicator_id, reporting_round.pk))
        if total is not None:
            yield ExportRow(
                year=year,
                indicator_code=indicator.code,
                indicator_name=indicator.name,
                unit=indicator.unit,
                area_code=plan.area.code,
                area_name=plan.area.name,
                value=total.value,
                numerator=total.numerator,
                denominator=total.denominator,
                missing_reason="",
                state=stored[0].submission.state,
                derived=True,
                updated_at=max(v.updated_at for v in stored),
                channel="",
            )
        for value in stored:
            yield ExportRow(
                year=year,
                indicator_code=indicator.code,
                indicator_name=indicator.name,
                unit=indicator.unit,
                area_code=value.area.code,
                area_name=value.area.name,
                value=value.value,
                numerator=value.numerator,
                denominator=value.denominator,
                missing_reason=value.missing_reason,
                state=value.submission.state,
                derived=False,
                updated_at=value.updated_at,
                channel=value.channel,
            )


class TextOut(Protocol):
    """Where write_csv writes: a text stream, or an HttpResponse (whose write takes str too)."""

    def write(self, text: str, /) -> object: ...


def write_csv(rows: Iterable[ExportRow], out: TextOut, *, labelled: bool = False) -> int:
    """Write `rows` (from export_rows) to `out`, a text stream encoded as plain UTF-8 (the
    byte-order mark is written here); return the number of data rows. `labelled`: headers and
    codes in the reader's language, for people (the web download), rather than COLUMNS for scripts."""
    out.write("\ufeff")
    writer = csv_writer(out, lineterminator="\r\n")
    writer.writerow([str(COLUMN_LABELS[c]) for c in COLUMNS] if labelled else COLUMNS)
    count = 0
    for row in rows:
        writer.writerow(row.as_labelled_csv() if labelled else row.as_csv())
        count += 1
    return count
