"""The departments' yearly assessment (目标考核): the weights file and the arithmetic.

Pure Python: no ORM here. `scorecard_inputs.py` reads the database into `Inputs`, one per department;
`score` turns them into a `Scorecard` whose every figure can be traced: each part keeps its inputs,
the sum it was computed with (as text), its score and its weight. Decimal arithmetic, each part
rounded half up to two places before the total is taken from the rounded parts, so a total on the
page or in the Excel file can be recomputed by hand from the parts shown beside it.

The weights (`data/scorecard.yaml`, or the office's own upload, kept in `ScorecardWeights`) are data:
a part that does not apply to a department (it leads no indicator, no recommendation to it was due)
is left out and the remaining weights count in proportion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, ConfigDict, Field, model_validator

from childfirst.datafile import DataFile
from childfirst.evaluation.labels import STATUS_LABELS, STATUS_ORDER

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "scorecard.yaml"
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

Points = Decimal
Timeliness = Literal["on_time", "late", "missing"]
PART_KEYS = ("indicators", "data", "report", "recommendations")
PART_NAMES = {
    "indicators": gettext_lazy("Indicator statuses"),
    "data": gettext_lazy("Data reporting"),
    "report": gettext_lazy("Implementation report"),
    "recommendations": gettext_lazy("Recommendations followed up"),
}
TIMELINESS_NAMES = {
    "on_time": gettext_lazy("on time"),
    "late": gettext_lazy("late"),
    "missing": gettext_lazy("not submitted"),
}


# --- the weights file ------------------------------------------------------------------------------


def _adds_up(name: str, values: Mapping[str, Decimal]) -> None:
    total = sum(values.values(), Decimal(0))
    if total != HUNDRED:
        raise ValueError(_("the %(group)s add up to %(total)s, not 100") % {"group": name, "total": _plain(total)})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PartWeights(_Strict):
    indicators: Points = Field(ge=0, le=100)
    data: Points = Field(ge=0, le=100)
    report: Points = Field(ge=0, le=100)
    recommendations: Points = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _sum(self) -> PartWeights:
        _adds_up(_("weights of the parts"), self.model_dump())
        return self


class StatusPoints(_Strict):
    achieved: Points = Field(ge=0, le=100)
    on_track: Points = Field(ge=0, le=100)
    needs_acceleration: Points = Field(ge=0, le=100)
    at_risk: Points = Field(ge=0, le=100)
    not_achieved: Points = Field(ge=0, le=100)
    insufficient_data: Points | None = Field(default=None, ge=0, le=100)

    def points(self, status: str) -> Decimal | None:
        """The points of `status`; None for a status that is counted but not scored."""
        value = getattr(self, status, None) if status in type(self).model_fields else None
        return value if isinstance(value, Decimal) else None


class Split(_Strict):
    completeness: Points = Field(ge=0, le=100)
    timeliness: Points = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _sum(self) -> Split:
        _adds_up(_("shares of completeness and timeliness"), self.model_dump())
        return self


class TimelinessPoints(_Strict):
    on_time: Points = Field(ge=0, le=100)
    late: Points = Field(ge=0, le=100)
    missing: Points = Field(ge=0, le=100)


class Weights(_Strict):
    parts: PartWeights
    status_points: StatusPoints
    data: Split
    report: Split
    timeliness_points: TimelinessPoints


def parse_weights(raw: bytes, name: str) -> Weights:
    """The weights in `raw` (YAML), or DataFileInvalid naming every problem with its key and line."""
    return DataFile.parse(raw, name).validate(Weights)


def default_weights() -> Weights:
    return parse_weights(DEFAULT_FILE.read_bytes(), DEFAULT_FILE.name)


# --- what is scored --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inputs:
    """What the database says about one department's year; only codes, names and counts."""

    department_code: str
    department_name: str
    statuses: Mapping[str, int]  # status → number of the indicators it leads
    data_expected: int | None  # None: the department had nothing to report in the year's round
    data_answered: int
    data_timeliness: Timeliness
    report_expected: int  # measures and key projects it reports on
    report_filled: int  # of those, with "what was done" filled in
    report_timeliness: Timeliness
    report_state: str | None  # None: no report started
    recommendations_due: int  # assignments whose due date has passed (or that were closed)
    recommendations_on_time: int  # of those, closed by the due date


@dataclass
class Part:
    key: str
    weight: Decimal
    score: Decimal | None  # None: does not apply to this department
    lines: list[str] = field(default_factory=list)  # the inputs, in the user's language
    formula: str = ""  # how the score was computed, e.g. "(100×8 + 90×2) ÷ 10 = 98.00"

    @property
    def name(self) -> str:
        return str(PART_NAMES[self.key])

    @property
    def applies(self) -> bool:
        return self.score is not None


@dataclass
class Scorecard:
    inputs: Inputs
    parts: list[Part]
    total: Decimal | None
    total_formula: str

    @property
    def department_code(self) -> str:
        return self.inputs.department_code

    @property
    def department_name(self) -> str:
        return self.inputs.department_name


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _plain(value: Decimal) -> str:
    """40 → "40", 62.50 → "62.5" (weights and points as the file writes them)."""
    text = format(value.normalize(), "f")
    return text


def _score(value: Decimal) -> str:
    return format(value, ".2f")


# --- the arithmetic --------------------------------------------------------------------------------


def indicators_part(inputs: Inputs, weights: Weights) -> Part:
    part = Part("indicators", weights.parts.indicators, None)
    counted = sum(inputs.statuses.values())
    shown = [s for s in [*reversed(STATUS_ORDER), "qualitative"] if inputs.statuses.get(s)]
    shown += [s for s in inputs.statuses if s not in shown and inputs.statuses[s]]
    counts = "、".join(f"{STATUS_LABELS.get(s, s)} {inputs.statuses[s]}" for s in shown)
    part.lines.append(_("Indicators it leads: %(count)s (%(counts)s)") % {"count": counted, "counts": counts or "—"})
    terms = [
        (weights.status_points.points(s), inputs.statuses[s])
        for s in shown
        if weights.status_points.points(s) is not None
    ]
    scored = sum(n for _p, n in terms)
    if scored < counted:
        part.lines.append(_("%(count)s not scored (no points for their status)") % {"count": counted - scored})
    if not scored:
        part.formula = _("no indicator with a scored status: the part does not apply")
        return part
    total = sum((points * n for points, n in terms if points is not None), Decimal(0))
    part.score = _round(total / scored)
    sum_text = " + ".join(f"{_plain(p)}×{n}" for p, n in terms if p is not None)
    part.formula = f"({sum_text}) ÷ {scored} = {_score(part.score)}"
    return part


def _split_part(
    key: str,
    weight: Decimal,
    split: Split,
    weights: Weights,
    completeness: Decimal,
    completeness_text: str,
    timeliness: Timeliness,
) -> Part:
    points = getattr(weights.timeliness_points, timeliness)
    part = Part(key, weight, None)
    part.lines.append(completeness_text)
    part.lines.append(
        _("Timeliness: %(when)s → %(points)s points") % {"when": TIMELINESS_NAMES[timeliness], "points": _plain(points)}
    )
    part.score = _round((completeness * split.completeness + points * split.timeliness) / HUNDRED)
    part.formula = (
        f"({_score(completeness)}×{_plain(split.completeness)} + {_plain(points)}×{_plain(split.timeliness)})"
        f" ÷ 100 = {_score(part.score)}"
    )
    return part


def data_part(inputs: Inputs, weights: Weights) -> Part:
    if inputs.data_expected is None:
        part = Part("data", weights.parts.data, None)
        part.lines.append(_("Nothing to report in the year's round"))
        part.formula = _("the part does not apply")
        return part
    expected, answered = inputs.data_expected, inputs.data_answered
    completeness = _round(HUNDRED * answered / expected) if expected else HUNDRED
    text = _("Data: %(answered)s of %(expected)s cells answered → completeness %(percent)s") % {
        "answered": answered,
        "expected": expected,
        "percent": _score(completeness),
    }
    return _split_part("data", weights.parts.data, weights.data, weights, completeness, text, inputs.data_timeliness)


def report_part(inputs: Inputs, weights: Weights) -> Part:
    expected, filled = inputs.report_expected, inputs.report_filled
    if inputs.report_state is None:
        completeness = Decimal(0)
        text = _("Implementation report: not started (%(expected)s items expected) → completeness 0.00") % {
            "expected": expected
        }
    else:
        completeness = _round(HUNDRED * filled / expected) if expected else HUNDRED
        text = _("Implementation report: %(filled)s of %(expected)s items filled in → completeness %(percent)s") % {
            "filled": filled,
            "expected": expected,
            "percent": _score(completeness),
        }
    return _split_part(
        "report", weights.parts.report, weights.report, weights, completeness, text, inputs.report_timeliness
    )


def recommendations_part(inputs: Inputs, weights: Weights) -> Part:
    part = Part("recommendations", weights.parts.recommendations, None)
    due, on_time = inputs.recommendations_due, inputs.recommendations_on_time
    part.lines.append(
        _("Recommendations due: %(due)s; closed by the due date: %(on_time)s; not: %(late)s")
        % {"due": due, "on_time": on_time, "late": due - on_time}
    )
    if not due:
        part.formula = _("no recommendation due: the part does not apply")
        return part
    part.score = _round(HUNDRED * on_time / due)
    part.formula = f"100 × {on_time} ÷ {due} = {_score(part.score)}"
    return part


def score(inputs: Inputs, weights: Weights) -> Scorecard:
    """One department's scorecard: each part from its inputs, the total from the parts that apply,
    their weights taken in proportion (Σ weight × score ÷ Σ weight)."""
    parts = [
        indicators_part(inputs, weights),
        data_part(inputs, weights),
        report_part(inputs, weights),
        recommendations_part(inputs, weights),
    ]
    applying = [p for p in parts if p.score is not None and p.weight]
    weight_sum = sum((p.weight for p in applying), Decimal(0))
    if not weight_sum:
        return Scorecard(inputs, parts, None, _("no part applies"))
    total = _round(sum((p.weight * p.score for p in applying if p.score is not None), Decimal(0)) / weight_sum)
    terms = " + ".join(f"{_plain(p.weight)}×{_score(p.score)}" for p in applying if p.score is not None)
    return Scorecard(inputs, parts, total, f"({terms}) ÷ {_plain(weight_sum)} = {_score(total)}")


def score_all(inputs: list[Inputs], weights: Weights) -> list[Scorecard]:
    """Every department's scorecard, best total first (those without a total last), then by code."""
    cards = [score(i, weights) for i in inputs]
    return sorted(cards, key=lambda c: (c.total is None, -(c.total or 0), c.department_code))
