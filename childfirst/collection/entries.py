"""Turning what a person typed for one indicator × area into a clean entry, or into findings.

Pure Python (no ORM): the web form, the Excel import and the API all pass their cells through
`clean_cell`, so the same value is judged the same way whichever way it arrives. Each finding
names where it was found (a form field, a spreadsheet cell, an API item) so that people can fix it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from childfirst.plans.models import UNIT_SCALE

from .numbers import NumberError, ParsedNumber, parse_number

# The catalogue's own unit → factor table, keyed by plain strings as cells and forms carry them.
SCALE = {str(unit): factor for unit, factor in UNIT_SCALE.items()}
PROPORTION_UNITS = {"%", "‰"}  # a part of a whole: the numerator cannot exceed the denominator
VALUE_PLACES = Decimal("0.000001")
TEXT_LIMITS = {"missing_reason": 500, "source_note": 500, "comment": 5000}  # the columns' sizes in models.py


@dataclass(frozen=True)
class IndicatorInfo:
    """What validation needs to know of an indicator."""

    code: str
    name: str
    unit: str
    per_street: bool

    @property
    def is_rate(self) -> bool:
        return self.unit in SCALE


@dataclass
class RawCell:
    """One indicator × area as submitted, before any checking. `where` names each field's place."""

    indicator: str
    area: str
    value: object = None
    numerator: object = None
    denominator: object = None
    missing_reason: str = ""
    comment: str = ""
    source_note: str = ""
    where: dict[str, str] = field(default_factory=dict)

    def place(self, part: str) -> str:
        return self.where.get(part) or self.where.get("row") or f"{self.indicator}/{self.area}"


@dataclass(frozen=True)
class Entry:
    indicator: str
    area: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    missing_reason: str
    comment: str
    source_note: str

    def as_record(self) -> dict[str, str | None]:
        """The stored form used in value history."""
        return {
            "value": _text(self.value),
            "numerator": _text(self.numerator),
            "denominator": _text(self.denominator),
            "missing_reason": self.missing_reason,
            "comment": self.comment,
            "source_note": self.source_note,
        }

    @property
    def is_answered(self) -> bool:
        return self.value is not None or bool(self.missing_reason)


def _text(number: Decimal | None) -> str | None:
    return None if number is None else format(number.normalize(), "f")


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" blocks saving or submission; "warning" needs a comment; "notice" informs
    rule: str
    indicator: str
    area: str
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class Rules:
    """Enabled rules and their parameters (from the ValidationRule table, or the shipped defaults)."""

    def __init__(self, enabled: dict[str, dict]):
        self.enabled = enabled

    def on(self, code: str) -> bool:
        return code in self.enabled

    def params(self, code: str) -> dict:
        return self.enabled.get(code, {})


def compute_rate(unit: str, numerator: Decimal, denominator: Decimal) -> Decimal:
    return (numerator * SCALE[unit] / denominator).quantize(VALUE_PLACES, rounding=ROUND_HALF_UP)


def clean_cell(raw: RawCell, info: IndicatorInfo, rules: Rules) -> tuple[Entry | None, list[Finding]]:
    """The entry and what is wrong with it; the entry is None when there is an error."""
    findings: list[Finding] = []

    def add(severity: str, rule: str, part: str, message: str) -> None:
        if rules.on(rule) or severity == "notice":
            findings.append(Finding(severity, rule, raw.indicator, raw.area, raw.place(part), message))

    parsed: dict[str, ParsedNumber | None] = {}
    for part in ("numerator", "denominator", "value"):
        try:
            parsed[part] = parse_number(getattr(raw, part))
        except NumberError as exc:
            parsed[part] = None
            findings.append(Finding("error", "not_a_number", raw.indicator, raw.area, raw.place(part), str(exc)))
    if findings:
        return None, findings

    numerator = parsed["numerator"].number if parsed["numerator"] else None
    denominator = parsed["denominator"].number if parsed["denominator"] else None
    value = _as_unit(parsed["value"], info, raw, add)
    for part, number in (("numerator", numerator), ("denominator", denominator), ("value", value)):
        if number is not None and number < 0 and info.unit != "pp":
            add("error", "negative", part, _("a negative number is not possible here"))

    missing_reason = raw.missing_reason.strip()
    for part, limit in TEXT_LIMITS.items():
        text = getattr(raw, part).strip()
        if len(text) > limit:
            findings.append(
                Finding("error", "too_long", raw.indicator, raw.area, raw.place(part),
                        _("too long: %(length)d characters, at most %(limit)d") % {"length": len(text), "limit": limit})
            )  # fmt: skip
    if info.is_rate:
        if (numerator is None) != (denominator is None):
            add("error", "rate_needs_parts", "numerator", _("give both the numerator and the denominator"))
        elif numerator is not None and denominator is not None:
            if denominator == 0:
                add("error", "zero_denominator", "denominator", _("the denominator is 0"))
            else:
                if info.unit in PROPORTION_UNITS and numerator > denominator:
                    add(
                        "error",
                        "numerator_above_denominator",
                        "numerator",
                        _("the numerator (%(numerator)s) is larger than the denominator (%(denominator)s)")
                        % {"numerator": _text(numerator), "denominator": _text(denominator)},
                    )
                computed = compute_rate(info.unit, numerator, denominator)
                if value is not None and abs(value - computed) > max(Decimal("0.05"), abs(computed) / 1000):
                    add(
                        "error",
                        "value_inconsistent",
                        "value",
                        _("the value %(value)s does not match numerator/denominator (%(computed)s)")
                        % {"value": _text(value), "computed": _text(computed)},
                    )
                value = computed
        elif value is not None and info.per_street:
            add(
                "error",
                "rate_needs_parts",
                "numerator",
                _("this rate is reported per street: give numerator and denominator so that totals can be summed"),
            )
    elif numerator is not None or denominator is not None:
        add("error", "not_a_rate", "numerator", _("this indicator takes a single value, not numerator/denominator"))

    proportion_error = any(f.rule == "numerator_above_denominator" for f in findings)
    if info.unit == "%" and value is not None and value > 100 and not proportion_error:
        add("error", "percent_above_100", "value", _("a percentage above 100 (%(value)s%%)") % {"value": _text(value)})
    if value is not None and missing_reason:
        add("error", "value_and_missing", "value", _("give either a value or the reason it is missing, not both"))

    if any(f.severity == "error" for f in findings):
        return None, findings
    entry = Entry(
        indicator=raw.indicator,
        area=raw.area,
        value=value,
        numerator=numerator,
        denominator=denominator,
        missing_reason=missing_reason,
        comment=raw.comment.strip(),
        source_note=raw.source_note.strip(),
    )
    return entry, findings


def _as_unit(parsed: ParsedNumber | None, info: IndicatorInfo, raw: RawCell, add) -> Decimal | None:
    """The typed value in the indicator's unit: "90%" and 0.9 both mean ninety percent."""
    if parsed is None:
        return None
    number, sign = parsed.number, parsed.sign
    if sign and sign != info.unit:
        add(
            "error",
            "wrong_unit",
            "value",
            _("%(sign)s does not fit this indicator's unit (%(unit)s)") % {"sign": sign, "unit": info.unit},
        )
        return number
    if info.unit == "%" and not sign and 0 < number <= 1:
        shown = _text(number * 100)
        add(
            "notice",
            "fraction_as_percent",
            "value",
            _("%(typed)s was read as %(percent)s%% (type %(typed)s%% if you meant %(typed)s percent)")
            % {"typed": _text(number), "percent": shown},
        )
        return number * 100
    return number
