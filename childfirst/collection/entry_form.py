"""The entry page's grid: domains of indicator blocks, one row per area, what was typed kept on error.

Field names are "<indicator>|<area>|<part>", with "<indicator>|<area>|version" carrying the
version of the value the page showed, so a save can tell when someone else changed it meanwhile.
Every input has an id ("c-<indicator>-<area>-<part>") that the error list at the top links to; an
error is attached to the input it is about, so the page can show it beside that input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from childfirst.areas.models import Area
from childfirst.plans.models import Domain, Indicator

from .entries import PROPORTION_UNITS, SCALE, Finding, RawCell, Rules
from .models import DataValue, Submission
from .prefill import Prefill, describe, prefills_for
from .review import history_for
from .scope import expected_for
from .succession import Carried
from .totals import Total, derive_total
from .warnings import yearly_change, yoy_threshold

PARTS = ("numerator", "denominator", "value", "missing_reason", "comment", "source_note")
TEXT_PARTS = ("missing_reason", "comment", "source_note")


def plain(number: Decimal | None) -> str:
    return "" if number is None else format(number.normalize(), "f")


@dataclass
class Field:
    """One input of a row as the template draws it: its name, id, what it shows and its errors."""

    part: str
    name: str
    id: str
    value: str
    errors: list[str]

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"


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
    # The version a refused row keeps: the one its typist saw, so that saving it again still
    # notices a change made meanwhile. None: the stored version.
    kept_version: int | None = None
    errors_by_part: dict[str, list[str]] = field(default_factory=dict)
    # Already reported in an earlier plan this year (collection/succession.py): shown, not asked.
    carried: Carried | None = None

    @property
    def carried_text(self) -> str:
        if self.carried is None:
            return ""
        value = self.carried.value
        shown = plain(value.value)
        if value.numerator is not None and value.denominator is not None:
            shown = f"{shown} ({plain(value.numerator)}/{plain(value.denominator)})"
        return shown

    @property
    def key(self) -> str:
        return f"{self.indicator.code}|{self.area.code}"

    @property
    def anchor(self) -> str:
        return f"r-{self.indicator.code}-{self.area.code}"

    @property
    def version(self) -> int:
        if self.kept_version is not None:
            return self.kept_version
        return self.stored.version if self.stored else 0

    @property
    def number_parts(self) -> tuple[str, ...]:
        """The number inputs this row draws (a per-street rate shows its value, computed, not typed)."""
        if self.indicator.unit not in SCALE:
            return ("value",)
        return ("numerator", "denominator") if self.indicator.per_street else ("numerator", "denominator", "value")

    def input_id(self, part: str) -> str:
        return f"c-{self.indicator.code}-{self.area.code}-{part}"

    @property
    def fields(self) -> dict[str, Field]:
        return {
            part: Field(
                part, f"{self.key}|{part}", self.input_id(part), self.typed[part], self.errors_by_part.get(part, [])
            )
            for part in (*self.number_parts, *TEXT_PARTS)
        }

    @property
    def last_year_text(self) -> str:
        return plain(self.last_year)

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
    # The year-on-year rule for typing warnings (warnings.yoy_threshold): centre, threshold, relative.
    yoy: tuple[float, float, bool] | None = None
    open: bool = False  # drawn unfolded (see EntryForm.show)

    @property
    def is_proportion(self) -> bool:
        return self.indicator.unit in PROPORTION_UNITS

    @property
    def yoy_data(self) -> dict[str, str]:
        if self.yoy is None:
            return {}
        centre, threshold, relative = self.yoy
        return {"centre": f"{centre:g}", "threshold": f"{threshold:g}", "relative": "1" if relative else "0"}

    @property
    def is_rate(self) -> bool:
        return self.indicator.unit in SCALE

    @property
    def scale(self) -> int:
        return SCALE.get(self.indicator.unit, 1)

    @property
    def answered(self) -> int:
        return sum(
            1 for r in self.rows if r.carried or (r.stored and (r.stored.value is not None or r.stored.missing_reason))
        )

    @property
    def has_errors(self) -> bool:
        return any(r.errors for r in self.rows)

    @property
    def has_warnings(self) -> bool:
        return any(r.warnings and not r.explained for r in self.rows)


@dataclass
class DomainGroup:
    """A domain's indicator blocks: the page shows one domain at a time (and any holding an error)."""

    domain: Domain
    blocks: list[IndicatorBlock]
    shown: bool = False

    @property
    def anchor(self) -> str:
        return f"domain-{self.domain.code}"

    @property
    def has_errors(self) -> bool:
        return any(b.has_errors for b in self.blocks)

    @property
    def answered(self) -> int:
        return sum(b.answered for b in self.blocks)

    @property
    def expected(self) -> int:
        return sum(len(b.rows) for b in self.blocks)


class EntryForm:
    """The page's rows. `data` is what was posted; with `typed_for` only those rows show it (the
    rows refused by a save), the others what is stored now."""

    def __init__(
        self,
        submission: Submission,
        data: Mapping[str, str] | None = None,
        *,
        typed_for: set[tuple[str, str]] | None = None,
        rules: Rules | None = None,
    ):
        self.submission = submission
        self.data = data
        self.typed_for = typed_for
        plan, year = submission.round.plan, submission.round.year
        expected = self.expected = expected_for(plan, year, submission.department)
        stored = {
            (v.indicator_id, v.area_id): v
            # Not select_related("updated_by"): nothing on the page names who changed a value, and
            # 320 user objects a page were a tenth of its time.
            for v in submission.values.filter(indicator__in=expected.indicators)
        }
        last_year, pairs = self.history = history_for(submission, expected)
        yoy_params = rules.params("yoy_change") if rules is not None and rules.on("yoy_change") else None
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
                    last_year.get((indicator.code, area.code)),
                    prefill=prefills.get((indicator.code, area.code)),
                    carried=expected.carried_for(indicator, area),
                )
                rows.append(row)
                self._rows[(indicator.code, area.code)] = row
            total = None
            if indicator.per_street:
                # A value already reported in an earlier plan counts in the total as it does on the page.
                figures = [r.stored or (r.carried.value if r.carried else None) for r in rows]
                total = derive_total(indicator, [f for f in figures if f is not None], len(rows))
            yoy = None
            if yoy_params is not None:
                relative_unit = indicator.unit not in ("%", "‰", "pp")
                changes = [
                    c for a, b in pairs.get(indicator.code, []) if (c := yearly_change(a, b, relative_unit)) is not None
                ]
                yoy = yoy_threshold(changes, indicator.unit, yoy_params)
            self.blocks.append(IndicatorBlock(indicator, rows, total, yoy))
        self.domains: list[DomainGroup] = []
        for block in self.blocks:
            if not self.domains or self.domains[-1].domain.pk != block.indicator.domain_id:
                self.domains.append(DomainGroup(block.indicator.domain, []))
            self.domains[-1].blocks.append(block)

    def _typed(self, indicator: Indicator, area: Area, value: DataValue | None) -> dict[str, str]:
        if self.data is not None and (self.typed_for is None or (indicator.code, area.code) in self.typed_for):
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
        labels = self._labels()
        cells = []
        for (indicator, area), row in self._rows.items():
            if row.carried is not None:
                continue  # read-only: the value stands in the earlier plan
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
            if row is None:
                continue
            row.findings.append(finding)
            if finding.severity == "error":
                part = self._part_of(row, finding.location)
                row.errors_by_part.setdefault(part, []).append(finding.message)
        for key in explained or ():
            if key in self._rows:
                self._rows[key].explained = True

    def _part_of(self, row: CellRow, location: str) -> str:
        """The input a finding is about: its part when its location names one the row draws, else
        the row's first number input (a conflict, or a rate's computed value above 100%)."""
        name = f"{row.indicator.code} {row.indicator.name} · {row.area.name}"
        for part in (*row.number_parts, *TEXT_PARTS):
            if location.endswith(" · " + self._labels()[part]) and location.startswith(name):
                return part
        return row.number_parts[0]

    @staticmethod
    def _labels() -> dict[str, str]:
        return {
            "numerator": _("numerator"),
            "denominator": _("denominator"),
            "value": _("value"),
            "missing_reason": _("why no value"),
            "comment": _("comment"),
            "source_note": _("source"),
        }

    def keep_versions(self, seen: dict[tuple[str, str], int], keys: set[tuple[str, str]]) -> None:
        """Refused rows keep the version their typist saw (see CellRow.kept_version)."""
        for key in keys:
            if key in self._rows and key in seen:
                self._rows[key].kept_version = seen[key]

    def errors(self) -> list[tuple[CellRow, Field, str]]:
        """Every error in page order with the input it is about, for the list at the top."""
        listed = []
        for block in self.blocks:
            for row in block.rows:
                for part, item in row.fields.items():
                    listed += [(row, item, message) for message in row.errors_by_part.get(part, [])]
        return listed

    def domain_of(self, indicator_code: str) -> str:
        row = next((r for (code, _area), r in self._rows.items() if code == indicator_code), None)
        return row.indicator.domain.code if row else ""

    def show(self, domain_code: str, open_code: str = "") -> str:
        """Mark the domain to show (the first when the code names none) and every domain holding an
        error, and unfold the indicator `open_code` and every one holding an error; with neither,
        the shown domain's first indicator still to be filled in. Returns the chosen domain's code.
        A page of folded indicators is a short list with their progress, not a wall of inputs."""
        chosen = next((g for g in self.domains if g.domain.code == domain_code), None)
        if chosen is None:
            chosen = next((g for g in self.domains if any(b.indicator.code == open_code for b in g.blocks)), None)
        if chosen is None and self.domains:
            chosen = self.domains[0]
        for group in self.domains:
            group.shown = group is chosen or group.has_errors
            for block in group.blocks:
                block.open = block.has_errors or block.indicator.code == open_code
        if chosen is not None and not any(b.open for b in chosen.blocks):
            todo = next((b for b in chosen.blocks if b.answered < len(b.rows)), chosen.blocks[0])
            todo.open = True
        return chosen.domain.code if chosen else ""
