"""Prefilled values offered to the departments from other parts of the system (so far: aggregate
counts of the children's information platform).

A source is a function `(plan, year, indicator_codes) -> list[Prefill]` that its app registers at
start-up (`register_prefill_source` in its AppConfig.ready()), so collection never imports the
registry and runs without it. A prefill carries
only an indicator code, an area code, numbers and the source's key: nothing about a person ever
crosses. It is a suggestion: the entry page shows it beside the cell with a one-click fill, and
`apply_prefills` saves it through the normal save path (channel "registry") into cells nobody has
answered yet, reporting — never replacing — a value someone entered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from childfirst.accounts.models import User
from childfirst.plans.models import Plan

from .entries import SCALE, RawCell, compute_rate
from .models import Channel, DataValue, Submission

__all__ = [
    "SCALE",
    "ApplyResult",
    "Prefill",
    "PrefillSource",
    "apply_prefills",
    "describe",
    "prefills_for",
    "register_prefill_source",
]

PrefillSource = Callable[[Plan, int, set[str]], Iterable["Prefill"]]
# key → function, filled by register_prefill_source (empty without the apps that offer figures).
PREFILL_SOURCES: dict[str, PrefillSource] = {}
# key → what the entry page calls the source.
SOURCE_LABELS: dict[str, str | Promise] = {}
# key → what a filled value's "source" column says; documents are in Chinese by design.
SOURCE_NOTES: dict[str, str] = {}


def register_prefill_source(key: str, function: PrefillSource, label: str | Promise, note: str) -> None:
    """Offer `function`'s figures to the departments as prefills whose `source` is `key`. Call it from
    the offering app's AppConfig.ready(); registering the same key again replaces it."""
    PREFILL_SOURCES[key] = function
    SOURCE_LABELS[key] = label
    SOURCE_NOTES[key] = note


@dataclass(frozen=True)
class Prefill:
    indicator: str  # indicator code
    area: str  # area code
    source: str  # key of SOURCE_LABELS
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None

    @property
    def is_partial(self) -> bool:
        """Only one part of a rate (the other comes from elsewhere, e.g. the department's own count)."""
        return (self.numerator is None) != (self.denominator is None)

    @property
    def label(self) -> str:
        return str(SOURCE_LABELS.get(self.source, self.source))

    @property
    def source_note(self) -> str:
        return SOURCE_NOTES.get(self.source, "")

    @property
    def fill(self) -> dict[str, str]:
        """The parts to put in the form's fields, as typed numbers ("12", never "1.2E+1")."""
        parts = {"numerator": self.numerator, "denominator": self.denominator, "value": self.value}
        return {part: _plain(number) for part, number in parts.items() if number is not None}

    def computed(self, unit: str) -> Decimal | None:
        if self.value is not None:
            return self.value
        if unit in SCALE and self.numerator is not None and self.denominator:
            return compute_rate(unit, self.numerator, self.denominator)
        return None

    def matches(self, stored: DataValue | None) -> bool | None:
        """None when nothing is stored; else whether the stored figures are the same."""
        if stored is None or (stored.value is None and not stored.missing_reason):
            return None
        if self.numerator is not None or self.denominator is not None:
            pairs = [(self.numerator, stored.numerator), (self.denominator, stored.denominator)]
            return all(mine is None or mine == theirs for mine, theirs in pairs)
        return self.value == stored.value


def prefills_for(plan: Plan, year: int, indicator_codes: Iterable[str]) -> dict[tuple[str, str], Prefill]:
    """Every source's suggestions for these indicators, keyed by (indicator code, area code)."""
    codes = set(indicator_codes)
    found: dict[tuple[str, str], Prefill] = {}
    if not codes:
        return found
    for source in PREFILL_SOURCES.values():
        for prefill in source(plan, year, codes):
            found.setdefault((prefill.indicator, prefill.area), prefill)
    return found


@dataclass
class ApplyResult:
    filled: list[Prefill] = field(default_factory=list)
    same: list[Prefill] = field(default_factory=list)  # already entered with the same figures
    conflicts: list[tuple[Prefill, DataValue]] = field(default_factory=list)  # entered otherwise: left alone
    partial: list[Prefill] = field(default_factory=list)  # one part of a rate only: for the page, not saved


def apply_prefills(actor: User | None, submission: Submission, prefills: Sequence[Prefill]) -> ApplyResult:
    """Save the suggestions into the submission's unanswered cells as a draft, through save_values
    (same validation, history and audit as any entry; all or nothing). A cell already answered —
    with a figure or with a reason it is missing — is never changed: a different figure is
    reported as a conflict. Each cell carries the version seen, so a value entered meanwhile by
    someone else makes the save refuse rather than overwrite it."""
    from .actions import save_values  # actions imports a good part of collection; keep this module light

    result = ApplyResult()
    stored = {
        (v.indicator.code, v.area.code): v
        for v in submission.values.select_related("indicator", "area").filter(
            indicator__code__in={p.indicator for p in prefills}
        )
    }
    cells, versions = [], {}
    for prefill in prefills:
        key = (prefill.indicator, prefill.area)
        current = stored.get(key)
        match = prefill.matches(current)
        if match is True:
            result.same.append(prefill)
            continue
        if match is False:
            assert current is not None  # matches() answers False only about a stored value
            result.conflicts.append((prefill, current))
            continue
        if prefill.is_partial:
            result.partial.append(prefill)
            continue
        cells.append(
            RawCell(
                indicator=prefill.indicator,
                area=prefill.area,
                value=prefill.value if prefill.numerator is None else None,
                numerator=prefill.numerator,
                denominator=prefill.denominator,
                comment=current.comment if current else "",
                source_note=(current.source_note if current else "") or prefill.source_note,
                where={"row": f"{prefill.indicator}/{prefill.area} ({prefill.label})"},
            )
        )
        versions[key] = current.version if current else 0
        result.filled.append(prefill)
    if cells:
        save_values(actor, submission, cells, channel=Channel.REGISTRY, seen_versions=versions)
    return result


def _plain(number: Decimal | None) -> str:
    return "" if number is None else format(number.normalize(), "f")


def describe(prefill: Prefill, unit: str) -> str:
    """The suggestion in words, e.g. "12 / 14 = 85.714286" or "12 (numerator)"."""
    if prefill.is_partial:
        part = _("numerator") if prefill.numerator is not None else _("denominator")
        return f"{_plain(prefill.numerator if prefill.numerator is not None else prefill.denominator)} ({part})"
    if prefill.numerator is not None:
        computed = prefill.computed(unit)
        shown = _plain(computed.quantize(Decimal("0.01"))) if computed is not None else "—"
        return f"{_plain(prefill.numerator)} / {_plain(prefill.denominator)} = {shown}"
    return _plain(prefill.value)
