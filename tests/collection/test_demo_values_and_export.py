"""The demo's synthetic monitoring data (rounds 2018 baseline, 2021–2024 closed, 2025 part-way)
and the CSV export of one year's values, read back as a user's spreadsheet would read it."""

from __future__ import annotations

import csv
import datetime
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connections
from django.utils import translation

from childfirst.cli import main as childfirst
from childfirst.collection.export import COLUMNS
from childfirst.collection.models import (
    DataValue,
    ReportingRound,
    RoundState,
    Submission,
    SubmissionState,
    ValueChange,
)
from childfirst.collection.scope import expected_for
from childfirst.collection.totals import derive_total
from childfirst.demo.values import load_demo_values


def totals() -> tuple[int, int, int]:
    return DataValue.objects.count(), ValueChange.objects.count(), Submission.objects.count()


def test_loading_twice_changes_nothing(demo, plan):
    assert demo["rounds_created"] == 6 and demo["values_created"] > 3000
    before = totals()
    states = dict(Submission.objects.values_list("pk", "state"))
    assert load_demo_values(plan) == {"rounds_created": 0, "values_created": 0}
    assert totals() == before
    assert dict(Submission.objects.values_list("pk", "state")) == states


def test_past_rounds_are_closed_with_every_expected_cell_answered(demo, plan):
    rounds = {r.year: r for r in ReportingRound.objects.filter(plan=plan)}
    assert sorted(rounds) == [2018, 2021, 2022, 2023, 2024, 2025]
    for year in (2018, 2021, 2022, 2023, 2024):
        assert rounds[year].state == RoundState.CLOSED
        assert rounds[year].closed_at.year == max(year + 1, 2021)  # a plausible history, not the load time
        submissions = list(rounds[year].submissions.select_related("department"))
        assert submissions and {s.state for s in submissions} == {SubmissionState.ACCEPTED}
        for submission in submissions:
            assert submission.submitted_at.date() <= submission.accepted_at.date()
            expected = expected_for(plan, year, submission.department)
            answered = set(submission.values.answered().values_list("indicator__code", "area__code"))
            assert answered == {(i.code, a.code) for i, a in expected.cells()}, (year, submission.department.code)
    # The baseline round asks only what has a 2018 baseline: the myopia rate, per street.
    baseline = DataValue.objects.filter(round=rounds[2018])
    assert set(baseline.values_list("indicator__code", flat=True)) == {"HEA-24"}
    assert baseline.count() == 14 and all(v.value is not None for v in baseline)


def test_the_2025_round_is_part_way(demo, plan):
    reporting_round = ReportingRound.objects.get(plan=plan, year=2025)
    assert reporting_round.state == RoundState.OPEN
    assert reporting_round.deadline == datetime.date(2026, 3, 31)
    states = {s.department.code: s for s in reporting_round.submissions.select_related("department")}
    assert states["market-regulation"].state == SubmissionState.ACCEPTED
    assert states["civil-affairs"].state == SubmissionState.APPROVED
    assert states["disabled-federation"].state == SubmissionState.SUBMITTED
    assert states["education"].state == SubmissionState.RETURNED
    assert states["education"].return_reason.startswith("FAM-03")
    assert states["health"].state == SubmissionState.DRAFT

    health = states["health"]
    owed = len(expected_for(plan, 2025, health.department).cells())
    assert 0.25 * owed < health.values.count() < 0.75 * owed  # half filled

    untouched = {code for code, s in states.items() if not s.values.exists()}
    assert len(untouched) == len(states) - 5 and all(states[c].state == SubmissionState.DRAFT for c in untouched)

    overdue = {s.department.code for s in reporting_round.submissions.overdue(datetime.date(2026, 11, 29))}
    assert overdue == untouched | {"health", "education"}
    assert not reporting_round.submissions.overdue(datetime.date(2026, 3, 31)).exists()


def test_the_demo_tells_a_varied_story(demo, plan):
    values = DataValue.objects.filter(round__plan=plan).select_related("indicator", "area", "round")
    missing = [v for v in values if v.missing_reason]
    assert 20 <= len(missing) <= 120 and all(v.value is None for v in missing)
    assert any(v.missing_reason == "统计口径调整，暂无数据" for v in missing)

    def district(code: str, year: int) -> Decimal:
        streets = [v for v in values if v.indicator.code == code and v.round.year == year]
        return derive_total(streets[0].indicator, streets, 14).value

    assert district("HEA-04", 2024) > district("HEA-04", 2021)  # on track, target ≥ 90 held
    assert district("HEA-23", 2024) > district("HEA-23", 2021)  # poor eyesight: slipping
    jump = values.get(indicator__code="HEA-13", area__code="330302010", round__year=2023)
    before = values.get(indicator__code="HEA-13", area__code="330302010", round__year=2022)
    assert jump.value > 2 * before.value and "托育机构" in jump.comment
    far = values.get(indicator__code="HEA-13", area__code="330302014", round__year=2024)
    assert far.value < district("HEA-13", 2024) / 2 and far.comment
    assert all(v.source_note == "演示合成数据（非真实统计）" for v in values)


@pytest.fixture
def cli(monkeypatch):
    """The console command in this process. A command closes the database connections when it
    ends, which would end this file's shared transaction; here it keeps them open."""
    monkeypatch.setattr(connections, "close_all", lambda: None)
    return childfirst


def read_csv(path) -> tuple[bytes, list[dict[str, str]]]:
    raw = path.read_bytes()
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return raw, list(csv.DictReader(stream))


def test_export_one_year_as_csv(demo, plan, tmp_path, cli):
    out = tmp_path / "2024.csv"
    assert cli(["data", "export", "--year", "2024", "--out", str(out)]) == 0
    raw, rows = read_csv(out)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert list(rows[0]) == COLUMNS

    stored = DataValue.objects.filter(round__plan=plan, round__year=2024)
    per_street = set(stored.filter(indicator__per_street=True).values_list("indicator__code", flat=True))
    assert len(rows) == stored.count() + len(per_street)
    assert {r["year"] for r in rows} == {"2024"}
    derived = [r for r in rows if r["derived"] == "yes"]
    assert {r["indicator_code"] for r in derived} == per_street and {r["area_code"] for r in derived} == {"330302"}
    assert all(r["channel"] == "" for r in derived) and {r["derived"] for r in rows} == {"yes", "no"}

    known = stored.get(indicator__code="HEA-04", area__code="330302003")
    row = next(r for r in rows if r["indicator_code"] == "HEA-04" and r["area_code"] == "330302003")
    assert row["area_name"] == "南汇街道" and row["indicator_name"] == "新生儿访视率" and row["unit"] == "%"
    assert Decimal(row["numerator"]) == known.numerator and Decimal(row["denominator"]) == known.denominator
    assert Decimal(row["value"]) == known.value
    assert (row["state"], row["derived"], row["channel"]) == ("accepted", "no", "system")
    assert row["updated_at"].startswith("2025-") and row["updated_at"].endswith("+08:00")

    # The district's rate is the summed numerators over the summed denominators, not a mean of rates.
    streets = [r for r in rows if r["indicator_code"] == "HEA-04" and r["derived"] == "no" and r["value"]]
    numerator = sum(Decimal(r["numerator"]) for r in streets)
    denominator = sum(Decimal(r["denominator"]) for r in streets)
    total = next(r for r in derived if r["indicator_code"] == "HEA-04")
    assert (Decimal(total["numerator"]), Decimal(total["denominator"])) == (numerator, denominator)
    by_hand = (numerator * 100 / denominator).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    assert Decimal(total["value"]) == by_hand
    mean_of_rates = sum(Decimal(r["value"]) for r in streets) / len(streets)
    assert abs(mean_of_rates - by_hand) > Decimal("0.001")

    missing = next(r for r in rows if r["missing_reason"])
    assert missing["value"] == "" and missing["derived"] == "no"
    assert not any("演示" in r["area_name"] for r in rows)  # streets and district only, no communities


def test_export_open_round_shows_states(demo, plan, tmp_path, cli):
    out = tmp_path / "2025.csv"
    assert cli(["data", "export", "--year", "2025", "--out", str(out), "--plan", plan.code]) == 0
    _raw, rows = read_csv(out)
    states = Counter(r["state"] for r in rows if r["derived"] == "no")
    assert set(states) == {"accepted", "approved", "submitted", "returned", "draft"}


def test_export_of_a_year_without_round_is_refused(demo, tmp_path, capsys, cli):
    out = tmp_path / "2019.csv"
    with translation.override("zh-hans"), pytest.raises(SystemExit) as done:
        cli(["data", "export", "--year", "2019", "--out", str(out)])
    assert done.value.code == 1
    assert "鹿城区儿童发展“十四五”规划 没有 2019 年的填报轮次。" in capsys.readouterr().err
    assert not out.exists() and not list(tmp_path.iterdir())
