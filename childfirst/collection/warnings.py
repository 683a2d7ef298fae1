"""Soft checks that need a comment before submission (pure Python, no ORM).

Both use robust statistics, so that one wild figure does not hide another:

* year-on-year change: the change from last year is compared with the indicator's own history of
  yearly changes (all areas, earlier years). With at least `min_history` past changes the threshold
  is `k` × 1.4826 × MAD around their median (MAD: median absolute deviation; 1.4826 makes it
  comparable to a standard deviation); with fewer, a documented default per unit applies
  (`default_threshold`: percentage points for % and ‰, a relative change for counts and other rates).
* street far from the others: Iglewicz and Hoaglin's modified z-score, 0.6745 × |x − median| / MAD,
  over the streets' values for the same indicator and year; above `k` (3.5 by default) is flagged.
  When more than half the streets share one value the MAD is 0; then, as the same authors advise,
  the score is |x − median| / (1.253314 × mean absolute deviation).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from statistics import median

from django.utils.translation import gettext as _

from .entries import Entry, Finding, IndicatorInfo, Rules, _text


def _mad(values: list[float], centre: float) -> float:
    return median(abs(v - centre) for v in values)


def yoy_threshold(changes: list[float], unit: str, params: dict) -> tuple[float, float, bool]:
    """(centre, threshold, relative): flag |change − centre| > threshold. `relative` when the
    change is measured as a share of last year's value (counts and rates other than % and ‰)."""
    if len(changes) >= params.get("min_history", 5):
        centre = median(changes)
        mad = _mad(changes, centre)
        floor = params.get("floor", {}).get(unit, 0.0)
        return centre, max(params.get("k", 4.0) * 1.4826 * mad, floor), unit not in ("%", "‰", "pp")
    defaults = params.get("default_threshold", {})
    if unit in ("%", "‰", "pp"):
        return 0.0, float(defaults.get(unit, 10)), False
    return 0.0, float(defaults.get("relative", 0.5)), True


def yearly_change(previous: Decimal, current: Decimal, relative: bool) -> float | None:
    if relative:
        return None if previous == 0 else float((current - previous) / abs(previous))
    return float(current - previous)


def yoy_warnings(
    entries: Iterable[Entry],
    infos: Mapping[str, IndicatorInfo],
    last_year: Mapping[tuple[str, str], Decimal],
    history: Mapping[str, list[tuple[Decimal, Decimal]]],
    rules: Rules,
    where: Mapping[tuple[str, str], str],
) -> list[Finding]:
    """`last_year`: (indicator, area) → value; `history`: indicator → past (previous, next) pairs."""
    if not rules.on("yoy_change"):
        return []
    params = rules.params("yoy_change")
    findings = []
    thresholds: dict[str, tuple[float, float, bool]] = {}
    for entry in entries:
        previous = last_year.get((entry.indicator, entry.area))
        if entry.value is None or previous is None:
            continue
        info = infos[entry.indicator]
        if entry.indicator not in thresholds:
            relative_unit = info.unit not in ("%", "‰", "pp")
            changes = [
                c for a, b in history.get(entry.indicator, []) if (c := yearly_change(a, b, relative_unit)) is not None
            ]
            thresholds[entry.indicator] = yoy_threshold(changes, info.unit, params)
        centre, threshold, relative = thresholds[entry.indicator]
        change = yearly_change(previous, entry.value, relative)
        if change is None or abs(change - centre) <= threshold:
            continue
        shown = f"{change:+.0%}" if relative else f"{change:+.2f}"
        findings.append(
            Finding(
                "warning",
                "yoy_change",
                entry.indicator,
                entry.area,
                where.get((entry.indicator, entry.area), f"{entry.indicator}/{entry.area}"),
                _("changed from %(previous)s last year to %(value)s (%(change)s), more than usual for this indicator")
                % {"previous": _text(previous), "value": _text(entry.value), "change": shown},
            )
        )
    return findings


def street_outlier_warnings(
    entries: Iterable[Entry],
    infos: Mapping[str, IndicatorInfo],
    street_codes: set[str],
    rules: Rules,
    where: Mapping[tuple[str, str], str],
) -> list[Finding]:
    if not rules.on("street_outlier"):
        return []
    params = rules.params("street_outlier")
    by_indicator: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.value is not None and entry.area in street_codes and infos[entry.indicator].per_street:
            by_indicator.setdefault(entry.indicator, []).append(entry)
    findings = []
    for code, street_entries in by_indicator.items():
        if len(street_entries) < params.get("min_streets", 5):
            continue
        values = [float(e.value) for e in street_entries if e.value is not None]  # all of them (see above)
        centre = median(values)
        mad = _mad(values, centre)
        mean_deviation = sum(abs(v - centre) for v in values) / len(values)
        if mad == 0 and mean_deviation == 0:
            continue  # every street reports the same value
        for entry in street_entries:
            assert entry.value is not None  # only entries with a value were gathered
            distance = abs(float(entry.value) - centre)
            score = 0.6745 * distance / mad if mad else distance / (1.253314 * mean_deviation)
            if score > params.get("k", 3.5):
                findings.append(
                    Finding(
                        "warning",
                        "street_outlier",
                        code,
                        entry.area,
                        where.get((code, entry.area), f"{code}/{entry.area}"),
                        _("%(value)s is far from the other streets (median %(median)s)")
                        % {"value": _text(entry.value), "median": f"{centre:g}"},
                    )
                )
    return findings
