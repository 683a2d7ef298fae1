"""The evaluation engine alone, in a plain Python process (prints figures; not a test).

Two synthetic data sets, built in memory with a fixed seed and marked synthetic:
- a province: 100 indicators × 1,500 areas × 5 years (2021–2025) = 750,000 values;
- the demo's size: 84 indicators × 15 areas (the district and 14 streets) × 5 years.

Each indicator × area is evaluated for 2025 (final) and for 2023 (mid-term) as the dashboards do:
the indicator's history of yearly changes over all areas (computed once per indicator) for the
volatility rule, the expected years from 2021 for missing data, and the streets-behind-the-district
rule once per indicator. Timed
separately: building the data, evaluating, and turning every result into JSON-ready dicts (which
renders each warning's message). Peak RSS is the whole process's.

    .venv/bin/python bench/bench_engine.py [--runs 5]
"""

from __future__ import annotations

import argparse
import platform
import random
import resource
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.calibrate import calibrated
from childfirst.evaluation.engine import Spec, evaluate, street_behind
from childfirst.evaluation.robust import Changes

YEARS = range(2021, 2026)
# The Lucheng plan's mix of comparators (84 indicators), scaled to any count.
MIX = [(">=", 65), ("<=", 7), ("<", 1), ("annual_decrease", 1), ("yoy_increase", 2), ("up", 11), ("down", 6)]


def synthetic(indicators: int, areas: int, seed: int = 2025) -> list[tuple[Spec, list[dict[int, float]]]]:
    """Specs and per-area series: levels 60–99 drifting up or down with noise, so that every status
    and most warnings occur."""
    rng = random.Random(seed)  # noqa: S311 - synthetic figures, not secrets
    comparators = [c for c, n in MIX for _ in range(n)]
    data = []
    for i in range(indicators):
        comparator = comparators[i % len(comparators)]
        if comparator in (">=", "<=", "<"):
            spec = Spec(comparator, rng.choice([85.0, 90.0, 95.0, 100.0, 25.0, 8.78]), 2025)
        elif comparator == "annual_decrease":
            spec = Spec(comparator, 1.0, 2025, baseline_year=2021)
        else:
            spec = Spec(comparator, None, 2025)
        series_list = []
        for _area in range(areas):
            level, drift = rng.uniform(60, 99), rng.gauss(0.5, 1.5)
            series = {}
            for k, year in enumerate(YEARS):
                series[year] = round(min(100.0, max(0.0, level + drift * k + rng.gauss(0, 0.8))), 2)
            series_list.append(series)
        data.append((spec, series_list))
    return data


def history_of(series_list: list[dict[int, float]], year: int) -> Changes:
    changes = []
    for series in series_list:
        for y, v in series.items():
            following = series.get(y + 1)
            if y + 1 < year and following is not None:
                changes.append(following - v)
    return Changes(changes)


def evaluate_all(data, year: int = 2025) -> list:
    expected = list(range(2021, year + 1))
    results = []
    for spec, series_list in data:
        history = history_of(series_list, year)
        rows = [evaluate(spec, s, year, history_changes=history, expected_years=expected) for s in series_list]
        district = rows[0].latest_value  # area 0 stands for the district
        latest = {str(k): r.latest_value for k, r in enumerate(rows[1:], 1) if r.latest_value is not None}
        street_behind(spec, district, latest)
        results.extend(rows)
    return results


def run(label: str, indicators: int, areas: int, runs: int, year: int) -> None:
    started = time.perf_counter()
    data = synthetic(indicators, areas)
    built = time.perf_counter() - started
    values = sum(len(s) for _spec, series_list in data for s in series_list)
    evaluate_times, dict_times, warnings, statuses = [], [], 0, Counter()
    for _ in range(runs):
        started = time.perf_counter()
        results = evaluate_all(data, year)
        evaluate_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        dicts = [r.as_dict() for r in results]
        dict_times.append(time.perf_counter() - started)
        warnings = sum(len(d["warnings"]) for d in dicts)
        statuses = Counter(d["status"] for d in dicts)
        del results, dicts
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    evaluated = indicators * areas
    print(
        f"{label}, evaluated for {year}: {indicators} indicators × {areas} areas × 5 years = {values:,} values present "
        f"({evaluated:,} series, {warnings:,} warnings)\n"
        f"  build data {built:.2f} s; evaluate median {statistics.median(evaluate_times):.3f} s "
        f"(min {min(evaluate_times):.3f}, {evaluated / statistics.median(evaluate_times):,.0f} series/s); "
        f"+ as_dict with messages median {statistics.median(dict_times):.3f} s; "
        f"peak RSS so far {rss_mb:.0f} MB\n"
        f"  statuses: {dict(statuses.most_common())}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.platform()}")
    for year in (2025, 2023):  # the final evaluation, and a mid-term one where the pace rules apply
        run("demo size", 84, 15, args.runs, year)
        run("province", 100, 1500, max(1, min(args.runs, 3)), year)


if __name__ == "__main__":
    with calibrated():  # the machine's speed before and after (bench/calibrate.py)
        main()
