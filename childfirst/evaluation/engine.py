"""The evaluation engine: a series of yearly values and a target in, a status, a projection to the
target year and early warnings out. Pure Python, no database: the CLI, the web pages, the reports,
the benchmark and the tests all call this same code. The rules, thresholds and worked examples are
in docs/methods.md; a change to a rule bumps METHOD_VERSION, which every published snapshot records.

Messages are English msgids translated by Django's gettext when Django is set up; in a plain Python
process (the benchmark) or before the catalogue has a translation, the Chinese kept here is used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from .robust import Changes, Spread, spread_of

METHOD_VERSION = "1.0"
STATUSES = ("achieved", "not_achieved", "on_track", "needs_acceleration", "at_risk", "insufficient_data")
# Better is higher. `insufficient_data` is outside this order: more or better data cannot be ranked against it.
STATUS_RANK = {"not_achieved": 0, "at_risk": 1, "needs_acceleration": 2, "on_track": 3, "achieved": 4}
WARNING_CODES = ("projected_miss", "moved_away", "volatile", "missing_data", "late_data", "street_behind")

COMPARATORS = (">=", "<=", "<", ">", "annual_decrease", "yoy_increase", "up", "down")
NUMERIC = frozenset({">=", "<=", "<", ">", "annual_decrease"})
HIGHER_IS_BETTER = frozenset({">=", ">", "yoy_increase", "up"})

ON_TRACK_RATIO = 1.0  # pace ratio R at or above: on track
ACCELERATE_RATIO = 0.5  # R at or above (and below 1): needs acceleration; below: at risk
VOLATILE_Z = 3.5  # |robust z| of the latest change above this: volatile (Iglewicz & Hoaglin)
VOLATILE_MIN_HISTORY = 4  # fewer earlier changes than this: no judgement on volatility
STREET_BEHIND_K = 2.0  # a street this many robust standard deviations worse than the district …
STREET_BEHIND_MIN_GAP = 0.01  # … and worse by more than 1% of the district value is far behind
STREET_MIN_COUNT = 3  # fewer streets with a value: no spread to judge by
# Differences this small (relative) are floating-point noise: 0.1 + 0.2 still "meets" a 0.3 target.
EPS = 1e-9


@dataclass(frozen=True)
class Spec:
    comparator: str  # one of COMPARATORS
    target: float | None  # the number for numeric comparators; for annual_decrease N points a year
    target_year: int
    baseline_year: int | None = None
    baseline_value: float | None = None

    def __post_init__(self) -> None:
        if self.comparator not in COMPARATORS:
            raise ValueError(f"unknown comparator {self.comparator!r}")
        if self.comparator in NUMERIC and (self.target is None or not math.isfinite(self.target)):
            raise ValueError(f"comparator {self.comparator!r} needs a finite target")
        # Decimals and ints from the catalogue become floats, so results compare and serialise alike.
        for name in ("target", "baseline_value"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, float(getattr(self, name)))

    @property
    def direction(self) -> int:
        return 1 if self.comparator in HIGHER_IS_BETTER else -1


@dataclass(frozen=True)
class Warning:
    code: str  # one of WARNING_CODES
    params: dict  # the numbers behind the message (JSON-serialisable)

    @property
    def message(self) -> str:
        """The reason in plain words, in the active language (Chinese unless English is chosen)."""
        msgid = _template(self.code, self.params)
        english, text = _translate(msgid)
        return text % _formatted(self.params, english)


@dataclass(frozen=True)
class Result:
    status: str
    latest_year: int | None
    latest_value: float | None
    projected: float | None  # linear projection to the target year (None once data for it exist)
    pace_ratio: float | None  # slope over the slope still needed; None when not applicable
    cagr_ratio: float | None  # Open SDG / Statistics Canada growth ratio, for international comparison
    target_for_latest: float | None  # the target applying to latest_year (it moves for annual_decrease)
    warnings: tuple[Warning, ...]

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "latest_year": self.latest_year,
            "latest_value": self.latest_value,
            "projected": _round(self.projected),
            "pace_ratio": _round(self.pace_ratio),
            "cagr_ratio": _round(self.cagr_ratio),
            "target_for_latest": _round(self.target_for_latest),
            "method_version": METHOD_VERSION,
            "warnings": [{"code": w.code, "message": w.message, "params": w.params} for w in self.warnings],
        }


def evaluate(
    spec: Spec,
    series: Mapping[int, float],
    year: int,
    *,
    history_changes: Sequence[float] | None = None,
    expected_years: Sequence[int] = (),
    late_years: Sequence[int] = (),
) -> Result:
    """Status, projection, ratios and warnings of one indicator in one area as of `year`.

    `series` maps year → value; values after `year`, None and non-finite values are ignored. The
    plan's baseline value, when given, stands as the value of the baseline year. `history_changes`
    are yearly changes of the indicator (all areas, earlier years) for the volatility rule, None to
    use the series' own; `expected_years` are years that should have a value, `late_years` years
    whose data came after the deadline.
    """
    data: dict[int, float] = {}
    for y, v in series.items():
        if y <= year and v is not None:
            v = float(v)
            if math.isfinite(v):
                data[int(y)] = v
    if spec.baseline_year is not None and spec.baseline_value is not None and spec.baseline_year <= year:
        data[spec.baseline_year] = float(spec.baseline_value)
    years = sorted(data)

    warnings: list[Warning] = []
    if expected_years:
        missing = sorted({y for y in expected_years if y <= year and y not in data})
        if missing:
            warnings.append(Warning("missing_data", {"years": missing}))
    if late_years:
        late = sorted({y for y in late_years if y <= year})
        if late:
            warnings.append(Warning("late_data", {"years": late}))
    if not years:
        return Result("insufficient_data", None, None, None, None, None, None, tuple(warnings))

    comparator, direction, target_year = spec.comparator, spec.direction, spec.target_year
    latest_year = years[-1]
    latest = data[latest_year]
    base_year = spec.baseline_year if spec.baseline_year is not None else years[0]
    window = [y for y in years if y >= base_year]
    remaining = target_year - latest_year
    slope = _slope(window, data) if len(window) >= 2 else None
    projected = _finite(latest + slope * remaining) if slope is not None and remaining > 0 else None
    pace = cagr = target_now = None

    if comparator in NUMERIC:
        assert spec.target is not None  # Spec.__post_init__ requires one for numeric comparators
        if comparator == "annual_decrease":
            base_value = spec.baseline_value if spec.baseline_value is not None else data.get(base_year)
            if base_value is None:
                warnings.append(Warning("missing_data", {"baseline_year": base_year}))
                status = "insufficient_data"
                final_target = None
            else:
                per_year = spec.target
                target_now = base_value - per_year * (latest_year - base_year)
                final_target = base_value - per_year * (target_year - base_year)
                if latest_year <= base_year or not math.isfinite(target_now) or not math.isfinite(final_target):
                    status = "insufficient_data"  # no year after the baseline yet: nothing to compare
                else:
                    status = _numeric_status(spec, latest, latest_year, target_now, final_target, len(window), slope)
        else:
            target_now = final_target = spec.target
            status = _numeric_status(spec, latest, latest_year, target_now, final_target, len(window), slope)
        if status in ("on_track", "needs_acceleration", "at_risk"):
            assert final_target is not None  # these statuses come from _numeric_status, given one
            pace = _pace_ratio(direction, slope, final_target - latest, remaining)
            if status != "on_track" and projected is not None:
                warnings.append(
                    Warning(
                        "projected_miss",
                        {
                            "projected": _round(projected),
                            "target": final_target,
                            "target_year": target_year,
                            "comparator": "<=" if comparator == "annual_decrease" else comparator,
                        },
                    )
                )
        if final_target is not None and window:
            cagr = _cagr_ratio(direction, window[0], data[window[0]], latest_year, latest, target_year, final_target)
    elif len(window) < 2:
        status = "insufficient_data"
    elif comparator == "yoy_increase":
        changes = [(data[b] - data[a], data[b]) for a, b in pairwise(window)]
        all_up = all(_positive(change, value) for change, value in changes)
        if remaining <= 0:
            status = "achieved" if all_up else "not_achieved"
        elif all_up:
            status = "on_track"
        elif not _positive(changes[-1][0], latest):
            status = "at_risk"
        else:
            status = "needs_acceleration"
    else:  # up / down: the slope's direction decides
        assert slope is not None  # two or more years in the window (checked above)
        status = "on_track" if _positive(direction * slope, latest) else "at_risk"

    if len(years) >= 2:
        previous_year = years[-2]
        previous = data[previous_year]
        change = latest - previous
        # A slip that does not show in the figures as written (number()) is rounding, not a warning.
        if comparator == "annual_decrease" and spec.target is not None:
            required = spec.target * (latest_year - previous_year)
            expected = previous - required
            if math.isfinite(expected) and latest > expected and number(latest) != number(expected):
                warnings.append(Warning("moved_away", _moved(previous_year, previous, latest_year, latest, required)))
        elif direction * change < 0 and number(latest) != number(previous):
            warnings.append(Warning("moved_away", _moved(previous_year, previous, latest_year, latest)))
        volatile = _volatility(change / (latest_year - previous_year), years[:-1], data, history_changes)
        if volatile is not None:
            warnings.append(volatile)

    return Result(
        status, latest_year, latest, projected, _finite(pace), _finite(cagr), _finite(target_now), tuple(warnings)
    )


def street_behind(
    spec: Spec,
    district_value: float | None,
    street_values: Mapping[str, float],
    *,
    threshold: float = STREET_BEHIND_K,
) -> dict[str, Warning]:
    """Streets far behind the district: worse than the district value (in the comparator's direction)
    by more than `threshold` robust standard deviations of the streets' values (1.4826 × MAD) and by
    more than 1% of the district value. A street that meets a fixed numeric target is not flagged.
    Needs at least three streets with a value. Meant for rates and averages, not for counts whose
    district figure is the streets' sum."""
    if district_value is None or not math.isfinite(district_value):
        return {}
    values = {code: float(v) for code, v in street_values.items() if v is not None and math.isfinite(float(v))}
    if len(values) < STREET_MIN_COUNT:
        return {}
    spread = spread_of(values.values())
    margin = max(threshold * spread.scale, STREET_BEHIND_MIN_GAP * abs(district_value))
    fixed_target = spec.comparator in (">=", "<=", "<", ">")
    behind = {}
    for code, value in values.items():
        gap = spec.direction * (district_value - value)
        if not math.isfinite(gap) or gap <= margin + _tolerance(margin, gap):
            continue
        if fixed_target and spec.target is not None and _meets(spec.comparator, value, spec.target):
            continue
        behind[code] = Warning(
            "street_behind",
            {"value": value, "district": district_value, "gap": _round(gap), "margin": _round(margin)},
        )
    return behind


# --- the rules -------------------------------------------------------------------------------------


def _numeric_status(
    spec: Spec, latest: float, latest_year: int, target_now: float, final_target: float, count: int, slope: float | None
) -> str:
    """The issue's order: achieved, then not achieved in or after the target year, then too few values,
    then the pace ratio."""
    target_year, direction = spec.target_year, spec.direction
    if _meets(spec.comparator, latest, target_now):
        return "achieved"
    if latest_year >= target_year:
        return "not_achieved"
    if count < 2 or slope is None:
        return "insufficient_data"
    needed = direction * (final_target - latest)
    progress = direction * slope
    if needed <= _tolerance(final_target, latest):
        # On the target of a strict comparator (c = T for "<" or ">"): any step the right way passes it.
        # (Strictly positive, not "beyond noise": the limit of R >= 1 as T - c shrinks to 0.)
        return "on_track" if progress > 0 else "at_risk"
    ratio = progress / (needed / (target_year - latest_year))
    if ratio >= ON_TRACK_RATIO - EPS:
        return "on_track"
    if ratio >= ACCELERATE_RATIO - EPS:
        return "needs_acceleration"
    return "at_risk"


def _pace_ratio(direction: int, slope: float | None, gap: float, remaining: int) -> float | None:
    """R = s / ((T − c) / (Y − t_c)); None when T − c is zero (c on a strict target) or no slope."""
    if slope is None or remaining <= 0 or abs(gap) <= _tolerance(gap, slope):
        return None
    return slope / (gap / remaining)


def _cagr_ratio(
    direction: int, base_year: int, base: float, latest_year: int, latest: float, target_year: int, target: float
) -> float | None:
    """Open SDG / Statistics Canada: actual compound annual growth since the base year over the growth
    needed from the base to the target, signed so that positive means the right direction. Undefined
    (None) for zero or negative values, no elapsed years, or a target equal to the base value."""
    if base <= 0 or latest <= 0 or target <= 0 or latest_year <= base_year or target_year <= base_year:
        return None
    actual = (latest / base) ** (1 / (latest_year - base_year)) - 1
    required = (target / base) ** (1 / (target_year - base_year)) - 1
    if abs(required) <= EPS:
        return None
    return direction * actual / abs(required)


def _slope(years: list[int], data: Mapping[int, float]) -> float:
    """Least-squares slope of value on year."""
    n = len(years)
    mean_x = sum(years) / n
    mean_y = sum(data[y] for y in years) / n
    sxx = sxy = 0.0
    for y in years:
        dx = y - mean_x
        sxx += dx * dx
        sxy += dx * (data[y] - mean_y)
    return sxy / sxx


_last_history: tuple[object, int, Spread] | None = None


def _history_spread(history: Sequence[float]) -> Spread:
    """The spread of a history, computed once per history object: the same list usually serves every
    area of an indicator. The cache holds the object itself, so its id cannot be reused meanwhile."""
    global _last_history
    if isinstance(history, Changes):
        return history.spread
    cached = _last_history
    if cached is not None and cached[0] is history and cached[1] == len(history):
        return cached[2]
    spread = spread_of(history)
    _last_history = (history, len(history), spread)
    return spread


def _volatility(
    change: float, earlier_years: list[int], data: Mapping[int, float], history: Sequence[float] | None
) -> Warning | None:
    """The latest (yearly) change against the median and robust spread of earlier changes."""
    if history is None:
        own = [(data[b] - data[a]) / (b - a) for a, b in pairwise(earlier_years)]
        spread = spread_of(own)
    else:
        spread = _history_spread(history)
    if spread.count < VOLATILE_MIN_HISTORY or spread.scale <= 0:
        return None
    z = (change - spread.center) / spread.scale
    if not abs(z) > VOLATILE_Z or not math.isfinite(z):
        return None
    return Warning(
        "volatile",
        {"change": _round(change), "median": _round(spread.center), "spread": _round(spread.scale), "z": _round(z)},
    )


def _moved(previous_year: int, previous: float, latest_year: int, latest: float, required: float | None = None) -> dict:
    params: dict[str, float | None] = {
        "previous_year": previous_year,
        "previous": previous,
        "latest_year": latest_year,
        "latest": latest,
    }
    if required is not None:
        params["required"] = _round(required)
    return params


def _meets(comparator: str, value: float, target: float) -> bool:
    tolerance = _tolerance(value, target)
    if comparator == ">=":
        return value >= target - tolerance
    if comparator in ("<=", "annual_decrease"):
        return value <= target + tolerance
    if comparator == ">":
        return value > target + tolerance
    return value < target - tolerance  # "<"


def _positive(amount: float, scale: float) -> bool:
    return amount > _tolerance(scale, 0.0)


def _tolerance(a: float, b: float) -> float:
    return EPS * max(1.0, abs(a), abs(b))


def _finite(x: float | None) -> float | None:
    """Extreme inputs can overflow to inf or nan; a figure that cannot be written is no figure."""
    return x if x is not None and math.isfinite(x) else None


def _round(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(x, digits)


# --- messages --------------------------------------------------------------------------------------


def gettext_noop(message: str) -> str:
    """Marks a msgid for makemessages without importing Django."""
    return message


PROJECTED_MISS = gettext_noop(
    "At the current pace it would reach %(projected)s by %(target_year)s, short of the target (%(target)s)."
)
MOVED_AWAY = gettext_noop(
    "Worse than the previous figure, away from the target: %(previous)s in %(previous_year)s, "
    "%(latest)s in %(latest_year)s."
)
MOVED_AWAY_DECREASE = gettext_noop(
    "Fell by less than the required %(required)s: %(previous)s in %(previous_year)s, %(latest)s in %(latest_year)s."
)
VOLATILE = gettext_noop(
    "Unusually large change: %(change)s a year, where this indicator usually changes by %(median)s ± %(spread)s."
)
MISSING_DATA = gettext_noop("No value for %(years)s.")
MISSING_BASELINE = gettext_noop("No baseline value for %(baseline_year)s, so the yearly targets cannot be set.")
LATE_DATA = gettext_noop("The data for %(years)s came after the deadline.")
STREET_BEHIND = gettext_noop(
    "Far behind the district: %(value)s against %(district)s, a gap of %(gap)s "
    "(more than the usual difference between streets, %(margin)s)."
)

# The Chinese of each message: used outside Django and until the catalogue carries it.
CHINESE = {
    PROJECTED_MISS: "按目前趋势，预计到%(target_year)s年为%(projected)s，达不到目标（%(target)s）。",
    MOVED_AWAY: "比上次变差，偏离目标：%(previous_year)s年为%(previous)s，%(latest_year)s年为%(latest)s。",
    MOVED_AWAY_DECREASE: "降幅不足（应至少降低%(required)s）：%(previous_year)s年为%(previous)s，"
    "%(latest_year)s年为%(latest)s。",
    VOLATILE: "波动较大：本次年均变化%(change)s，该指标通常变化%(median)s ± %(spread)s。",
    MISSING_DATA: "缺少%(years)s年的数据。",
    MISSING_BASELINE: "缺少%(baseline_year)s年的基线值，无法确定逐年目标。",
    LATE_DATA: "%(years)s年的数据晚于截止日期报送。",
    STREET_BEHIND: "明显落后于全区：本街镇为%(value)s，全区为%(district)s，相差%(gap)s"
    "（超过街镇间通常差异%(margin)s）。",
}

_SYMBOLS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}


def _template(code: str, params: Mapping) -> str:
    if code == "moved_away":
        return MOVED_AWAY_DECREASE if "required" in params else MOVED_AWAY
    if code == "missing_data":
        return MISSING_BASELINE if "baseline_year" in params else MISSING_DATA
    return {
        "projected_miss": PROJECTED_MISS,
        "volatile": VOLATILE,
        "late_data": LATE_DATA,
        "street_behind": STREET_BEHIND,
    }[code]


def _translate(msgid: str) -> tuple[bool, str]:
    """(English is active, the message in the active language)."""
    try:
        from django.apps import apps
        from django.conf import settings

        if settings.configured and apps.ready:
            from django.utils.translation import get_language, gettext

            english = (get_language() or settings.LANGUAGE_CODE).startswith("en")
            text = gettext(msgid)
            if english or text != msgid:
                return english, text
    except ImportError:  # pragma: no cover - Django is a dependency, but the engine does not need it
        pass
    return False, CHINESE[msgid]


def _formatted(params: Mapping, english: bool) -> dict:
    out: dict[str, str] = {}
    for key, value in params.items():
        if key == "years":
            out[key] = (", " if english else "、").join(str(y) for y in value)
        elif key.endswith("year") or key == "comparator":
            out[key] = str(value)
        elif key == "change":
            out[key] = ("+" if value > 0 else "") + number(value)
        else:
            out[key] = number(value)
    if "target" in params and params.get("comparator") in _SYMBOLS:
        out["target"] = f"{_SYMBOLS[params['comparator']]} {out['target']}"
    return out


def number(x: float) -> str:
    """A figure as people write it: at most two decimals, no trailing zeros; small ones keep 3 digits."""
    if not math.isfinite(x):
        return str(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    if text in ("0", "-0"):
        text = f"{x:.3g}"
    return text
