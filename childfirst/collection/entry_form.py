"""The entry page's grid: one block per indicator, one row per area, what was typed kept on error.

Field names are "<indicator>|<area>|<part>", with "<indicator>|<area>|version" carrying the
version of the value the page showed, so a save can tell when someone else changed it meanwhile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from childfirst.areas.models import Area
from childfirst.plans.models import Indicator

from .entries import SCALE, Finding, RawCell
from .models import DataValue, Submission
from .prefill import Prefill, describe, prefills_for
from .scope import expected_for
from .totals import Total, derive_total

PARTS = ("numerator", "denominator", "value", "missing_reason", "comment", "source_note")


def plain(number: Decimal | None) -> str:
    return "" if number is None else format(number.normalize(), "f")


@dataclass
class CellRow:
    indicator: Indicator
    area: Area
    stored: DataValue | None
    typed: dict[str, str]
    last_year: Decimal | None
    findings: list[Finding] = field(default_factory=list)
    explained: bool = False
    prefill: Prefill | None = None  # a suggestion from another part of the system (see prefill.py)

    @property
    def key(self) -> str:
        return f"{self.indicator.code}|{self.area.code}"

    @property
    def version(self) -> int:
        return self.stored.version if self.stored else 0

    @property
    def prefill_text(self) -> str:
        return describe(self.prefill, self.indicator.unit) if self.prefill else ""

    @property
    def prefill_match(self) -> bool | None:
        """None: nothing entered yet; True/False: what is entered agrees with the suggestion or not."""
        return self.prefill.matches(self.stored) if self.prefill else None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


@dataclass(frozen=True)
class PrefillDifference:
    """One cell whose stored figure is not the figure another part of the system offers."""

    row: CellRow
    entered: Decimal | None  # what was entered (the part compared, or the value)
    offered: Decimal | None  # what the source offers
    part: str  # "numerator", "denominator" or "value"

    @property
    def difference(self) -> Decimal | None:
        """Entered minus offered; None when one side has no figure (e.g. a value left out with a reason)."""
        if self.entered is None or self.offered is None:
            return None
        return self.entered - self.offered


def _compared(prefill: Prefill, stored: DataValue, unit: str) -> tuple[Decimal | None, Decimal | None, str]:
    """The first part where the stored figure and the offer differ: the numerator, the denominator,
    else the value (a rate is compared on the parts the source counts)."""
    for part in ("numerator", "denominator"):
        offered = getattr(prefill, part)
        if offered is not None and offered != getattr(stored, part):
            return getattr(stored, part), offered, part
    return stored.value, prefill.computed(unit), "value"


@dataclass
class IndicatorBlock:
    indicator: Indicator
    rows: list[CellRow]
    total: Total | None

    @property
    def is_rate(self) -> bool:
        return self.indicator.unit in SCALE

    @property
    def scale(self) -> int:
        return SCALE.get(self.indicator.unit, 1)

    @property
    def answered(self) -> int:
        return sum(1 for r in self.rows if r.stored and (r.stored.value is not None or r.stored.missing_reason))

    @property
    def has_errors(self) -> bool:
        return any(r.errors for r in self.rows)

    @property
    def has_warnings(self) -> bool:
        return any(r.warnings and not r.explained for r in self.rows)


class EntryForm:
    def __init__(self, submission: Submission, data: Mapping[str, str] | None = None):
        self.submission = submission
        self.data = data
        plan, year = submission.round.plan, submission.round.year
        expected = expected_for(plan, year, submission.department)
        stored = {
            (v.indicator_id, v.area_id): v
            for v in submission.values.select_related("updated_by").filter(indicator__in=expected.indicators)
        }
        previous = dict(
            (((indicator_id, area_id), value))
            for indicator_id, area_id, value in DataValue.objects.filter(
                round__plan=plan, round__year=year - 1, indicator__in=expected.indicators
            ).values_list("indicator_id", "area_id", "value")
        )
        prefills = prefills_for(plan, year, [i.code for i in expected.indicators])
        self.blocks: list[IndicatorBlock] = []
        self._rows: dict[tuple[str, str], CellRow] = {}
        for indicator in expected.indicators:
            rows = []
            for area in expected.areas_for(indicator):
                value = stored.get((indicator.pk, area.pk))
                row = CellRow(
                    indicator,
                    area,
                    value,
                    self._typed(indicator, area, value),
                    previous.get((indicator.pk, area.pk)),
                    prefill=prefills.get((indicator.code, area.code)),
                )
                rows.append(row)
                self._rows[(indicator.code, area.code)] = row
            total = None
            if indicator.per_street:
                total = derive_total(indicator, [r.stored for r in rows if r.stored], len(rows))
            self.blocks.append(IndicatorBlock(indicator, rows, total))

    def _typed(self, indicator: Indicator, area: Area, value: DataValue | None) -> dict[str, str]:
        if self.data is not None:
            return {part: self.data.get(f"{indicator.code}|{area.code}|{part}", "") for part in PARTS}
        if value is None:
            return dict.fromkeys(PARTS, "")
        return {
            "numerator": plain(value.numerator),
            "denominator": plain(value.denominator),
            "value": plain(value.value) if indicator.unit not in SCALE or value.numerator is None else "",
            "missing_reason": value.missing_reason,
            "comment": value.comment,
            "source_note": value.source_note,
        }

    def cells(self) -> list[RawCell]:
        labels = {
            "numerator": _("numerator"),
            "denominator": _("denominator"),
            "value": _("value"),
            "missing_reason": _("why no value"),
        }
        cells = []
        for (indicator, area), row in self._rows.items():
            name = f"{indicator} {row.indicator.name} · {row.area.name}"
            cells.append(
                RawCell(
                    indicator=indicator,
                    area=area,
                    numerator=row.typed["numerator"] or None,
                    denominator=row.typed["denominator"] or None,
                    value=row.typed["value"] or None,
                    missing_reason=row.typed["missing_reason"],
                    comment=row.typed["comment"],
                    source_note=row.typed["source_note"],
                    where={"row": name, **{part: f"{name} · {label}" for part, label in labels.items()}},
                )
            )
        return cells

    def prefill_differences(self) -> list[PrefillDifference]:
        """The stored values that differ from another part's figures (the children's platform's
        counts), for the reviewer and the office to see before approving or accepting."""
        out = []
        for row in self._rows.values():
            if row.prefill is None or row.stored is None or row.prefill_match is not False:
                continue
            out.append(PrefillDifference(row, *_compared(row.prefill, row.stored, row.indicator.unit)))
        return out

    def seen_versions(self) -> dict[tuple[str, str], int]:
        seen = {}
        for key in self._rows:
            raw = (self.data or {}).get(f"{key[0]}|{key[1]}|version", "")
            if raw.isdigit():
                seen[key] = int(raw)
        return seen

    def attach(self, findings: list[Finding], explained: set[tuple[str, str]] | None = None) -> None:
        for finding in findings:
            row = self._rows.get((finding.indicator, finding.area))
            if row is not None:
                row.findings.append(finding)
        for key in explained or ():
            if key in self._rows:
                self._rows[key].explained = True
