"""The evaluation engine: every rule and edge of issue 4 with hand-computed figures (each worked
example of docs/methods.md is one of these cases, same numbers), properties checked by hypothesis,
the messages in Chinese and English, and `childfirst evaluate-series` run as a user would."""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from childfirst.evaluation.engine import (
    COMPARATORS,
    STATUS_RANK,
    STATUSES,
    Spec,
    Warning,
    evaluate,
    street_behind,
)
from childfirst.evaluation.robust import Changes, spread_of

ROOT = Path(__file__).resolve().parents[2]
GE90 = Spec(">=", 90, 2025)


def codes(result) -> list[str]:
    return [w.code for w in result.warnings]


def warning(result, code: str) -> Warning:
    return next(w for w in result.warnings if w.code == code)


# --- status rules (docs/methods.md, worked examples 1–10) -----------------------------------------


def test_achieved_includes_the_target_itself_for_at_least_and_at_most():
    assert evaluate(GE90, {2021: 88, 2022: 90}, 2022).status == "achieved"  # 90 ≥ 90 (以上)
    assert evaluate(Spec("<=", 25, 2025), {2022: 25}, 2022).status == "achieved"  # 25 ≤ 25 (以内)


def test_strict_targets_exclude_the_number_itself():
    below = evaluate(Spec("<", 8.78, 2025), {2022: 9.1, 2023: 8.78}, 2023)
    assert below.status != "achieved"
    above = evaluate(Spec(">", 90, 2025), {2022: 88, 2023: 90}, 2023)
    # On the target of a strict comparator: T − c = 0, so R is undefined; the slope (+2 a year) passes it.
    assert (above.status, above.pace_ratio, above.projected) == ("on_track", None, 94.0)
    flat = evaluate(Spec(">", 90, 2025), {2022: 91, 2023: 90}, 2023)
    assert flat.status == "at_risk"


def test_not_achieved_when_the_target_year_has_a_value_that_misses():
    result = evaluate(GE90, {2023: 85, 2024: 86, 2025: 88}, 2025)
    assert (result.status, result.latest_year, result.projected, result.pace_ratio) == (
        "not_achieved",
        2025,
        None,
        None,
    )


def test_a_single_value_is_insufficient_unless_it_meets_the_target():
    result = evaluate(GE90, {2022: 80}, 2022)
    assert (result.status, result.latest_value, result.projected, result.pace_ratio) == (
        "insufficient_data",
        80.0,
        None,
        None,
    )
    assert evaluate(GE90, {2022: 95}, 2022).status == "achieved"
    assert evaluate(GE90, {}, 2022).status == "insufficient_data"


def test_on_track_pace_ratio_and_projection():
    # s = 3 a year; needed (90 − 86) / (2025 − 2023) = 2 a year; R = 1.5; p = 86 + 3 × 2 = 92.
    result = evaluate(GE90, {2021: 80, 2022: 83, 2023: 86}, 2023)
    assert (result.status, result.pace_ratio, result.projected) == ("on_track", 1.5, 92.0)
    assert result.warnings == ()


def test_needs_acceleration_with_projected_miss():
    # s = 2; needed (90 − 84) / 2 = 3; R = 2/3; p = 84 + 2 × 2 = 88 < 90.
    result = evaluate(GE90, {2021: 80, 2022: 82, 2023: 84}, 2023)
    assert result.status == "needs_acceleration"
    assert result.pace_ratio == pytest.approx(2 / 3)
    assert result.projected == 88.0
    assert warning(result, "projected_miss").params == {
        "projected": 88.0,
        "target": 90.0,
        "target_year": 2025,
        "comparator": ">=",
    }


def test_at_risk():
    # s = 0.5; needed (90 − 81) / 2 = 4.5; R = 0.111; p = 82.
    result = evaluate(GE90, {2021: 80, 2022: 80.5, 2023: 81}, 2023)
    assert (result.status, round(result.pace_ratio, 4), result.projected) == ("at_risk", 0.1111, 82.0)
    assert codes(result) == ["projected_miss"]


def test_pace_thresholds_are_inclusive_at_one_and_one_half():
    # needed (90 − 84) / 2 = 3 a year: slope 3 → R = 1; slope 1.5 → R = 0.5.
    assert evaluate(GE90, {2022: 81, 2023: 84}, 2023).status == "on_track"
    assert evaluate(GE90, {2022: 82.5, 2023: 84}, 2023).status == "needs_acceleration"
    assert evaluate(GE90, {2022: 82.6, 2023: 84}, 2023).status == "at_risk"


def test_lower_is_better():
    # ≤ 25: s = −1.5 (least squares over 30, 29, 27); needed (25 − 27) / 2 = −1; R = 1.5; p = 24.
    result = evaluate(Spec("<=", 25, 2025), {2021: 30, 2022: 29, 2023: 27}, 2023)
    assert (result.status, result.pace_ratio, result.projected) == ("on_track", 1.5, 24.0)
    # CAGR ratio signed so that falling counts as progress: ((27/30)^(1/2) − 1) / |(25/30)^(1/4) − 1|, negated.
    assert result.cagr_ratio == pytest.approx(-((27 / 30) ** 0.5 - 1) / abs((25 / 30) ** 0.25 - 1))
    assert round(result.cagr_ratio, 4) == 1.1517


def test_the_baseline_year_starts_the_slope_and_the_baseline_value_stands_for_it():
    """The issue's CLI example: the plan's baseline 50 in 2018, then 85 in 2021 and 87 in 2022."""
    spec = Spec(">=", 90, 2025, baseline_year=2018, baseline_value=50.0)
    result = evaluate(spec, {2021: 85.0, 2022: 87.0}, 2022)
    # x̄ = 2020.333, ȳ = 74; dx = −2.333, 0.667, 1.667; dy = −24, 11, 13: Sxy = 85, Sxx = 8.667,
    # s = 9.8077; needed (90 − 87) / 3 = 1 a year → R = 9.8077; p = 87 + 9.8077 × 3 = 116.42.
    assert result.status == "on_track"
    assert round(result.pace_ratio, 4) == 9.8077
    assert round(result.projected, 4) == 116.4231
    # Without a plan baseline the first year with data starts the slope: the same figures here.
    assert evaluate(GE90, {2018: 50.0, 2021: 85.0, 2022: 87.0}, 2022).projected == result.projected
    # A baseline year of 2021 leaves 2018 out: s = 2, needed 1 a year, R = 2, p = 93.
    later = evaluate(Spec(">=", 90, 2025, baseline_year=2021), {2018: 50.0, 2021: 85.0, 2022: 87.0}, 2022)
    assert (later.pace_ratio, later.projected) == (2.0, 93.0)


def test_annual_decrease_target_moves_each_year():
    # Myopia: −1 point a year from 50 in 2018. Target 2021: 50 − 3 = 47; 46.5 ≤ 47 → achieved.
    spec = Spec("annual_decrease", 1, 2025, baseline_year=2018)
    achieved = evaluate(spec, {2018: 50, 2021: 46.5}, 2021)
    assert (achieved.status, achieved.target_for_latest) == ("achieved", 47.0)
    # 2022: target 46, value 46.5 → not met. T = 50 − 7 = 43. Slope over 2018, 2021, 2022 = −0.8269;
    # needed (43 − 46.5) / 3 = −1.1667; R = 0.7088; p = 46.5 − 0.8269 × 3 = 44.02 > 43.
    result = evaluate(spec, {2018: 50, 2021: 48, 2022: 46.5}, 2022)
    assert (result.status, result.target_for_latest) == ("needs_acceleration", 46.0)
    assert round(result.pace_ratio, 4) == 0.7088
    assert round(result.projected, 2) == 44.02
    assert warning(result, "projected_miss").params["target"] == 43.0
    assert warning(result, "projected_miss").message == "按目前趋势，预计到2025年为44.02，达不到目标（≤ 43）。"


def test_annual_decrease_baseline_from_the_plan_and_edges():
    spec = Spec("annual_decrease", 1, 2025, baseline_year=2018, baseline_value=50.0)
    assert evaluate(spec, {2021: 46.0}, 2021).status == "achieved"  # the plan's 2018 value stands in
    no_base = evaluate(Spec("annual_decrease", 1, 2025, baseline_year=2018), {2021: 46.0, 2022: 45.0}, 2022)
    assert no_base.status == "insufficient_data"
    assert warning(no_base, "missing_data").params == {"baseline_year": 2018}
    assert warning(no_base, "missing_data").message == "缺少2018年的基线值，无法确定逐年目标。"
    # Only the baseline year itself: no year after it yet.
    assert evaluate(spec, {2018: 49.0}, 2018).status == "insufficient_data"
    # The plan's baseline value wins over a reported value for the baseline year.
    assert evaluate(spec, {2018: 60.0, 2021: 46.0}, 2021).target_for_latest == 47.0


def test_year_on_year_increase():
    spec = Spec("yoy_increase", None, 2025)
    assert evaluate(spec, {2021: 3}, 2021).status == "insufficient_data"
    assert evaluate(spec, {2021: 3, 2022: 4, 2023: 6}, 2023).status == "on_track"
    assert evaluate(spec, {2021: 3, 2022: 4, 2023: 6, 2024: 6}, 2024).status == "at_risk"  # latest not up
    assert evaluate(spec, {2021: 3, 2022: 2, 2023: 4}, 2023).status == "needs_acceleration"
    # In the target year the goal is judged: up every year → achieved, else not achieved.
    assert evaluate(spec, {2021: 3, 2022: 4, 2023: 5, 2024: 6, 2025: 8}, 2025).status == "achieved"
    assert evaluate(spec, {2021: 3, 2022: 2, 2023: 5, 2024: 6, 2025: 8}, 2025).status == "not_achieved"


def test_direction_without_a_number_is_never_achieved():
    # up: 10, 12, 11 → s = 0.5 > 0 → on track; the same series for a "down" goal → at risk.
    assert evaluate(Spec("up", None, 2025), {2021: 10, 2022: 12, 2023: 11}, 2023).status == "on_track"
    down = evaluate(Spec("down", None, 2025), {2021: 10, 2022: 12, 2023: 11}, 2023)
    assert down.status == "at_risk"
    assert down.pace_ratio is None and down.cagr_ratio is None and down.target_for_latest is None
    final = evaluate(Spec("up", None, 2025), {2021: 10, 2022: 12, 2023: 14, 2024: 16, 2025: 18}, 2025)
    assert final.status == "on_track"
    assert evaluate(Spec("up", None, 2025), {2024: 10, 2025: 10}, 2025).status == "at_risk"  # flat is not up


# --- edges named in issue item 8 -------------------------------------------------------------------


def test_zero_baseline_has_no_cagr_ratio_but_a_pace():
    # Count indicator from 0: s = 2, needed (10 − 4) / 2 = 3 → R = 0.667; CAGR undefined from 0.
    result = evaluate(Spec(">=", 10, 2025), {2021: 0, 2022: 2, 2023: 4}, 2023)
    assert (result.status, round(result.pace_ratio, 4), result.cagr_ratio) == ("needs_acceleration", 0.6667, None)


def test_cagr_ratio_open_sdg_method():
    # base 80 (2021), 86 in 2023: actual (86/80)^(1/2) − 1 = 0.03682; needed (90/80)^(1/4) − 1 = 0.02988.
    result = evaluate(GE90, {2021: 80, 2022: 83, 2023: 86}, 2023)
    assert round(result.cagr_ratio, 4) == 1.2322
    assert evaluate(Spec(">=", 90, 2025), {2021: -5, 2022: 3}, 2022).cagr_ratio is None  # negative base
    assert evaluate(Spec(">=", 0, 2025), {2021: 1, 2022: 3}, 2022).cagr_ratio is None  # target 0
    assert evaluate(Spec(">=", 80, 2025), {2021: 80, 2022: 79}, 2022).cagr_ratio is None  # target = base


def test_a_100_percent_target():
    spec = Spec(">=", 100, 2025)
    assert evaluate(spec, {2021: 98, 2022: 99, 2023: 100}, 2023).status == "achieved"
    # s = 0.75; needed (100 − 99.5) / 2 = 0.25 → R = 3; the projection passes 100 (p = 101), which only
    # says the pace is enough.
    result = evaluate(spec, {2021: 98, 2022: 99, 2023: 99.5}, 2023)
    assert (result.status, result.pace_ratio, result.projected) == ("on_track", 3.0, 101.0)


def test_an_evaluation_year_earlier_than_the_latest_data_ignores_later_values():
    series = {2021: 80, 2022: 83, 2023: 86, 2024: 95}
    result = evaluate(GE90, series, 2023)
    assert (result.latest_year, result.latest_value, result.status, result.pace_ratio) == (2023, 86.0, "on_track", 1.5)
    assert evaluate(GE90, series, 2024).status == "achieved"
    assert evaluate(GE90, series, 2020).status == "insufficient_data"


def test_the_target_year_reached_and_passed():
    series = {2023: 85, 2024: 87, 2025: 88, 2026: 91}
    assert evaluate(GE90, series, 2025).status == "not_achieved"
    assert evaluate(GE90, series, 2026).status == "achieved"  # met after the target year
    assert evaluate(GE90, {2023: 85, 2024: 87, 2025: 88, 2026: 89}, 2026).status == "not_achieved"
    # Evaluated after the target year without a value for it: judged on the pace, and the gap is reported.
    late = evaluate(GE90, {2023: 85, 2024: 88}, 2026, expected_years=range(2021, 2027))
    assert (late.status, late.projected) == ("on_track", 91.0)
    assert warning(late, "missing_data").params == {"years": [2021, 2022, 2025, 2026]}


def test_values_that_are_missing_or_not_finite_are_skipped():
    result = evaluate(GE90, {2021: 80, 2022: None, 2023: math.nan, 2024: 86}, 2024)
    assert (result.latest_year, result.latest_value) == (2024, 86.0)


# --- warnings ---------------------------------------------------------------------------------------


def test_moved_away_also_when_a_kept_target_slips():
    # ≥ 95, "保持在": 99 → 97 is still achieved, but worse than last year.
    result = evaluate(Spec(">=", 95, 2025), {2022: 99, 2023: 97}, 2023)
    assert result.status == "achieved"
    assert warning(result, "moved_away").params == {
        "previous_year": 2022,
        "previous": 99.0,
        "latest_year": 2023,
        "latest": 97.0,
    }
    assert warning(result, "moved_away").message == "比上次变差，偏离目标：2022年为99，2023年为97。"
    assert "moved_away" not in codes(evaluate(Spec(">=", 95, 2025), {2022: 97, 2023: 97}, 2023))
    assert "moved_away" in codes(evaluate(Spec("down", None, 2025), {2022: 5, 2023: 6}, 2023))
    # A slip that does not show at two decimals is rounding: 99.4998 → 99.4955 both read 99.5.
    assert "moved_away" not in codes(evaluate(Spec(">=", 99, 2025), {2023: 99.4998, 2024: 99.4955}, 2024))


def test_moved_away_for_annual_decrease_means_falling_less_than_required():
    spec = Spec("annual_decrease", 1, 2025, baseline_year=2018)
    slow = evaluate(spec, {2018: 50, 2021: 46, 2022: 45.5}, 2022)  # achieved (45.5 ≤ 46) but fell by 0.5
    assert slow.status == "achieved"
    assert warning(slow, "moved_away").params["required"] == 1
    assert warning(slow, "moved_away").message == "降幅不足（应至少降低1）：2021年为46，2022年为45.5。"
    assert "moved_away" not in codes(evaluate(spec, {2018: 50, 2021: 46, 2022: 45}, 2022))
    assert "moved_away" not in codes(evaluate(spec, {2018: 50, 2021: 46, 2022: 45.001}, 2022))  # reads 45


def test_volatile_against_the_indicators_history():
    # History median 2, MAD 1 → robust sd 1.4826. Change +8: z = (8 − 2) / 1.4826 = 4.05 > 3.5.
    history = [1, 2, 1, 3, 2, 1, 2]
    jumped = evaluate(GE90, {2021: 80, 2022: 82, 2023: 90}, 2023, history_changes=history)
    assert warning(jumped, "volatile").params == {"change": 8.0, "median": 2, "spread": 1.4826, "z": 4.0469}
    assert warning(jumped, "volatile").message == "波动较大：本次年均变化+8，该指标通常变化2 ± 1.48。"
    # Change +7: z = 5 / 1.4826 = 3.37 → within the usual.
    assert "volatile" not in codes(evaluate(GE90, {2021: 80, 2022: 82, 2023: 89}, 2023, history_changes=history))
    # The same with a precomputed history (many areas share one).
    assert "volatile" in codes(evaluate(GE90, {2021: 80, 2022: 82, 2023: 90}, 2023, history_changes=Changes(history)))


def test_volatile_against_the_series_own_history():
    # Own changes before the latest: 1, 1, 1.5, 0.5 → median 1, MAD 0.25, sd 0.3707; +6: z = 13.5.
    series = {2019: 80, 2020: 81, 2021: 82, 2022: 83.5, 2023: 84, 2024: 90}
    assert "volatile" in codes(evaluate(GE90, series, 2024))
    # Fewer than four earlier changes: no judgement.
    assert "volatile" not in codes(evaluate(GE90, {2021: 80, 2022: 81, 2023: 82, 2024: 90}, 2024))
    # A perfectly flat history has no spread to judge by (moved_away still reports a fall).
    flat = evaluate(Spec(">=", 95, 2025), {2019: 100, 2020: 100, 2021: 100, 2022: 100, 2023: 100, 2024: 97}, 2024)
    assert codes(flat) == ["moved_away"]


def test_robust_spread_falls_back_to_mean_absolute_deviation():
    assert spread_of([1, 2, 1, 3, 2, 1, 2]).scale == pytest.approx(1.4826)
    # More than half equal: MAD 0, so 1.2533 × mean |x − median| = 1.2533 × 5/5.
    assert spread_of([0, 0, 0, 0, 5]).scale == pytest.approx(1.2533)
    assert spread_of([3, 3, 3]).scale == 0


def test_missing_and_late_data():
    result = evaluate(GE90, {2021: 80, 2023: 84}, 2023, expected_years=range(2021, 2024), late_years=[2023, 2024])
    assert warning(result, "missing_data").params == {"years": [2022]}
    assert warning(result, "late_data").params == {"years": [2023]}  # 2024 is after the evaluation year
    assert warning(result, "missing_data").message == "缺少2022年的数据。"
    assert warning(result, "late_data").message == "2023年的数据晚于截止日期报送。"
    empty = evaluate(GE90, {}, 2022, expected_years=[2021, 2022])
    assert (empty.status, warning(empty, "missing_data").message) == ("insufficient_data", "缺少2021、2022年的数据。")


def test_street_far_behind_the_district():
    # Streets 97, 98, 96.5, 90, 97.5: median 97, MAD 0.5 → sd 0.7413; margin max(2 × 0.7413, 1% of 97) = 1.4826.
    streets = {"a": 97, "b": 98, "c": 96.5, "d": 90, "e": 97.5}
    behind = street_behind(Spec(">=", 99, 2025), 97.0, streets)
    assert list(behind) == ["d"]
    assert behind["d"].params == {"value": 90.0, "district": 97.0, "gap": 7.0, "margin": 1.4826}
    assert behind["d"].message == ("明显落后于全区：本街镇为90，全区为97，相差7（超过街镇间通常差异1.48）。")
    assert street_behind(Spec(">=", 90, 2025), 97.0, streets) == {}  # d meets the target itself
    # Lower is better: a street far above the district is behind.
    rates = {"a": 3.0, "b": 3.2, "c": 2.9, "d": 3.1, "e": 6.0}
    assert list(street_behind(Spec("down", None, 2025), 3.2, rates)) == ["e"]
    assert street_behind(GE90, 97.0, {"a": 90, "b": 97}) == {}  # too few streets to judge
    assert street_behind(GE90, None, streets) == {}


# --- messages ---------------------------------------------------------------------------------------


def test_messages_follow_the_active_language():
    result = evaluate(GE90, {2021: 80, 2022: 82, 2023: 84}, 2023)
    with translation.override("zh-hans"):
        assert warning(result, "projected_miss").message == "按目前趋势，预计到2025年为88，达不到目标（≥ 90）。"
    with translation.override("en"):
        assert warning(result, "projected_miss").message == (
            "At the current pace it would reach 88 by 2025, short of the target (≥ 90)."
        )
        missing = evaluate(GE90, {2023: 84}, 2023, expected_years=[2021, 2022])
        assert warning(missing, "missing_data").message == "No value for 2021, 2022."


def test_engine_runs_in_plain_python_with_chinese_messages():
    """The benchmark and other tools import the engine without Django settings."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = (
        "import json, sys\n"
        "from childfirst.evaluation.engine import Spec, evaluate\n"
        "r = evaluate(Spec('>=', 90, 2025), {2021: 80, 2022: 82, 2023: 84}, 2023)\n"
        "print(json.dumps(r.as_dict(), ensure_ascii=False))\n"
        "print('django.conf' in sys.modules and __import__('django.conf').conf.settings.configured)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    assert json.loads(lines[0])["warnings"][0]["message"] == "按目前趋势，预计到2025年为88，达不到目标（≥ 90）。"
    assert lines[1] == "False"


# --- properties -------------------------------------------------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False)
moderate = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@st.composite
def cases(draw, values=finite):
    comparator = draw(st.sampled_from(COMPARATORS))
    target = draw(values) if comparator in (">=", "<=", "<", ">", "annual_decrease") else None
    baseline_year = draw(st.none() | st.integers(2015, 2025))
    baseline_value = draw(st.none() | values) if baseline_year is not None else None
    spec = Spec(comparator, target, draw(st.integers(2018, 2030)), baseline_year, baseline_value)
    series = draw(st.dictionaries(st.integers(2015, 2030), values, max_size=8))
    return spec, series, draw(st.integers(2015, 2030)), draw(st.none() | st.lists(values, max_size=12))


@settings(max_examples=400, deadline=None)
@given(cases())
def test_never_raises_on_a_finite_series_and_statuses_are_known(case):
    spec, series, year, history = case
    result = evaluate(spec, series, year, history_changes=history, expected_years=range(2015, year + 1))
    assert result.status in STATUSES
    json.dumps(result.as_dict(), allow_nan=False)  # every figure writable, every message renders
    district = next(iter(series.values()), 0.0)
    for w in street_behind(spec, district, {str(y): v for y, v in series.items()}).values():
        assert w.message


def better(status: str, than: str) -> bool:
    """Status order for the property below: not_achieved < at_risk < needs_acceleration < on_track <
    achieved; insufficient_data stands apart (only a value meeting the target leaves it, as achieved)."""
    if "insufficient_data" in (status, than):
        return status == than or (than == "insufficient_data" and status == "achieved")
    return STATUS_RANK[status] >= STATUS_RANK[than]


@settings(max_examples=600, deadline=None)
@given(cases(values=moderate), st.floats(min_value=0, max_value=1e6))
def test_improving_only_the_latest_value_never_worsens_the_status(case, step):
    spec, series, year, history = case
    used = [y for y in series if y <= year]
    if not used:
        return
    latest = max(used)
    improved = dict(series)
    improved[latest] = series[latest] + spec.direction * step
    before = evaluate(spec, series, year, history_changes=history).status
    after = evaluate(spec, improved, year, history_changes=history).status
    assert better(after, before), (before, after)


# --- the command ------------------------------------------------------------------------------------


def run_series(document, monkeypatch) -> dict:
    monkeypatch.setattr(sys, "stdin", io.StringIO(document if isinstance(document, str) else json.dumps(document)))
    out = io.StringIO()
    call_command("evaluate_series", stdout=out)
    return json.loads(out.getvalue())


def test_evaluate_series_reproduces_the_hand_computed_example(monkeypatch):
    result = run_series(
        {"comparator": ">=", "target": 90, "target_year": 2025, "series": {"2021": 80, "2022": 82, "2023": 84}},
        monkeypatch,
    )
    assert result["status"] == "needs_acceleration"
    assert (result["latest_year"], result["latest_value"], result["projected"]) == (2023, 84.0, 88.0)
    assert result["pace_ratio"] == 0.6667
    assert result["cagr_ratio"] == 0.8264
    assert [w["code"] for w in result["warnings"]] == ["projected_miss"]
    assert result["warnings"][0]["message"] == "按目前趋势，预计到2025年为88，达不到目标（≥ 90）。"


def test_evaluate_series_with_the_issue_example_and_warnings(monkeypatch):
    document = {
        "comparator": ">=",
        "target": 90,
        "target_year": 2025,
        "baseline": {"year": 2018, "value": 50.0},
        "series": {"2021": 85.0, "2022": 87.0, "2020": None},
        "year": 2022,
        "expected_years": [2020, 2021, 2022],
        "late_years": [2022],
    }
    result = run_series(document, monkeypatch)
    assert (result["status"], result["pace_ratio"], result["projected"]) == ("on_track", 9.8077, 116.4231)
    assert [w["code"] for w in result["warnings"]] == ["missing_data", "late_data"]


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"target": 90, "target_year": 2025, "series": {}}, "comparator"),
        ({"comparator": "≥", "target": 90, "target_year": 2025, "series": {}}, "comparator"),
        ({"comparator": ">=", "target_year": 2025, "series": {}}, "target"),
        ({"comparator": ">=", "target": "90%", "target_year": 2025, "series": {}}, "target"),
        ({"comparator": ">=", "target": 90, "target_year": 2025.5, "series": {}}, "target_year"),
        ({"comparator": ">=", "target": 90, "target_year": 2025, "series": {"20x1": 80}}, "series.20x1"),
        ({"comparator": ">=", "target": 90, "target_year": 2025, "series": {"2021": "80"}}, "series.2021"),
        ({"comparator": ">=", "target": 90, "target_year": 2025, "series": [80, 82]}, "series"),
        ({"comparator": ">=", "target": 90, "target_year": 2025, "series": {}, "baseline": {"yr": 1}}, "baseline.yr"),
        ({"comparator": ">=", "target": 90, "target_year": 2025, "series": {}, "targte": 1}, "targte"),
        (
            {"comparator": ">=", "target": 90, "target_year": 2025, "series": {}, "late_years": [2021.5]},
            "late_years[0]",
        ),
    ],
)
def test_evaluate_series_names_the_bad_field(document, field, monkeypatch):
    with translation.override("en"), pytest.raises(CommandError) as caught:
        run_series(document, monkeypatch)
    assert str(caught.value).startswith(f"{field}: ")


def test_evaluate_series_from_the_console_in_chinese_and_english():
    """As a user runs it: exit status, JSON on stdout, a one-line error without a traceback."""
    command = [str(ROOT / ".venv" / "bin" / "childfirst")]
    good = json.dumps({"comparator": "up", "target_year": 2025, "series": {"2021": 10, "2022": 12, "2023": 11}})
    done = subprocess.run([*command, "evaluate-series"], input=good, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "on_track"

    bad = json.dumps({"comparator": ">=", "target": 90, "series": {}})
    chinese = subprocess.run([*command, "evaluate-series"], input=bad, capture_output=True, text=True, cwd=ROOT)
    assert chinese.returncode != 0 and chinese.stdout == ""
    assert "target_year" in chinese.stderr and "此项必填" in chinese.stderr
    assert "Traceback" not in chinese.stderr

    english = subprocess.run(
        [*command, "--lang", "en", "evaluate-series"], input="{not json", capture_output=True, text=True, cwd=ROOT
    )
    assert english.returncode != 0
    assert "The input is not valid JSON (line 1, column 2)." in english.stderr
    assert "Traceback" not in english.stderr
