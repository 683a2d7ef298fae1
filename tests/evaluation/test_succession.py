"""One series across a plan and the plan it follows (`continues:`): the earlier plan's accepted values
fill the years before the new plan and the overlap year, each with its plan named; the new plan's
baseline comes from them; a value accepted in the earlier plan is not asked for again.

tests/data/mini-plan.yaml (2021–2025) and mini-plan-next.yaml (2025–2027, made up) overlap in 2025."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from childfirst.collection.actions import (
    ValuesRejected,
    do_accept,
    do_approve,
    do_open_round,
    do_submit,
    save_values,
)
from childfirst.collection.completeness import round_completeness
from childfirst.collection.entries import RawCell
from childfirst.collection.entry_form import EntryForm
from childfirst.collection.excel_template import build_template
from childfirst.collection.models import Channel, DataValue, Submission
from childfirst.collection.review import review_submission
from childfirst.collection.scope import expected_for, streets_in_year
from childfirst.evaluation.data import collect, evaluate_dataset
from childfirst.plans.loader import load_plan
from childfirst.plans.models import Plan
from childfirst.plans.succession import lineage, target_segments, targets_by_year

DATA = Path(__file__).resolve().parents[1] / "data"


def fill(users, plan: Plan, year: int, visits: int, *, accept: bool = True) -> Submission:
    """The health department's values of `year` in `plan`: every street's newborn visits out of 100
    births (and the other indicators), submitted, approved and accepted through the normal actions."""
    reporting_round = do_open_round(users.office, plan, year, datetime.date(year + 1, 3, 31))
    submission = Submission.objects.get(round=reporting_round, department__code="health")
    form = EntryForm(submission)
    cells = []
    for block in form.blocks:
        for row in block.rows:
            if row.carried is not None:
                continue
            if block.indicator.code == "HEA-01":
                cells.append(RawCell("HEA-01", row.area.code, numerator=visits, denominator=100))
            elif block.indicator.unit == "%":
                cells.append(RawCell(block.indicator.code, row.area.code, numerator=90, denominator=100))
            else:
                cells.append(RawCell(block.indicator.code, row.area.code, numerator=4, denominator=1000))
    save_values(users.reporter, submission, cells, channel=Channel.WEB)
    if accept:
        submission = do_submit(users.reporter, Submission.objects.get(pk=submission.pk), None)
        submission = do_approve(users.reviewer, submission, None)
        submission = do_accept(users.office, submission, None)
    return submission


@pytest.fixture
def plans(users):
    """mini-plan with accepted 2024 and 2025 values, then mini-plan-next loaded after it."""
    earlier = load_plan(DATA / "mini-plan.yaml").plan
    fill(users, earlier, 2024, 88)
    fill(users, earlier, 2025, 91)
    later = load_plan(DATA / "mini-plan-next.yaml").plan
    return earlier, later


@pytest.mark.django_db
class TestSeries:
    def test_the_series_runs_across_both_plans_with_each_points_plan(self, users, plans):
        _earlier, later = plans
        fill(users, later, 2026, 94)
        data = collect(later, 2026)
        hea01 = later.indicators.get(code="HEA-01")
        district = data.points[(hea01.pk, later.area.code)]
        assert sorted(district) == [2024, 2025, 2026]
        assert (district[2024].value, district[2025].value, district[2026].value) == (88.0, 91.0, 94.0)
        # Years before the plan and the overlap year come from the earlier plan, and say so.
        assert district[2024].source["plan"] == "mini-plan" and district[2025].source["plan"] == "mini-plan"
        assert district[2025].source["plan_name"] == "示例规划"
        assert "plan" not in district[2026].source  # the plan's own figure
        street = streets_in_year(later, 2025)[0]
        assert data.points[(hea01.pk, street.code)][2024].source["plan"] == "mini-plan"
        # An indicator new in the plan has only its own values.
        hea03 = later.indicators.get(code="HEA-03")
        assert sorted(data.points[(hea03.pk, later.area.code)]) == [2026]

    def test_baseline_is_read_from_the_earlier_plan_and_expected_years_stay_the_plans(self, users, plans):
        _earlier, later = plans
        fill(users, later, 2026, 94)
        hea01 = later.indicators.get(code="HEA-01")
        assert (hea01.baseline_year, hea01.baseline_value) == (2024, None)
        rows = [r for r in evaluate_dataset(collect(later, 2026)) if r.area == later.area]
        result = next(r.result for r in rows if r.indicator == hea01)
        # 88 (2024, the earlier plan's) → 94 (2026): on track for 95 in 2027, nothing missing.
        assert result.status == "on_track" and result.latest_value == 94.0
        assert not [w for w in result.warnings if w.code == "missing_data"]
        new = next(r.result for r in rows if r.indicator.code == "HEA-03")
        missing = [w for w in new.warnings if w.code == "missing_data"]
        assert missing and missing[0].params["years"] == [2025]  # its own years only, from 2025

    def test_own_value_wins_over_the_earlier_plans(self, users, plans):
        """A value the new plan has of its own for a year stands; the earlier plan's is not mixed in."""
        earlier, later = plans
        fill(users, earlier, 2023, 80)
        data = collect(later, 2025)
        hea01 = later.indicators.get(code="HEA-01")
        assert data.points[(hea01.pk, later.area.code)][2023].value == 80.0
        assert data.late_years.get(hea01.pk, set()) == set()

    def test_each_plans_target_in_its_own_years(self, plans):
        _earlier, later = plans
        chain = lineage(later.indicators.get(code="HEA-01"))
        assert [i.plan.code for i in chain] == ["mini-plan", "mini-plan-next"]
        segments = target_segments(chain)
        assert [(s.first_year, s.last_year, s.target) for s in segments] == [
            (2021, 2025, Decimal("90")),
            (2025, 2027, Decimal("95")),
        ]
        assert targets_by_year(chain, [2020, 2021, 2025, 2026]) == [[None, 90.0, 90.0, None], [None, None, 95.0, 95.0]]

    def test_a_revised_target_steps_within_its_own_plans_years(self, plans):
        """Each plan's line asks plans.targets for the target in force: a revision of the earlier
        plan's target from 2023 shows in 2023–2025 and nowhere in the later plan's years."""
        from django.utils import timezone

        from childfirst.plans.models import TargetRevision

        earlier, later = plans
        TargetRevision.objects.create(
            indicator=earlier.indicators.get(code="HEA-01"), from_year=2023, target=Decimal("92"),
            decided_on=datetime.date(2023, 6, 30), document="（测试）中期调整", loaded_at=timezone.now(),
        )  # fmt: skip
        chain = lineage(later.indicators.get(code="HEA-01"))
        assert targets_by_year(chain, [2022, 2023, 2025, 2026]) == [[90.0, 92.0, 92.0, None], [None, None, 95.0, 95.0]]


@pytest.mark.django_db
class TestNoDoubleEntry:
    def test_overlap_year_is_already_reported(self, users, plans):
        earlier, later = plans
        reporting_round = do_open_round(users.office, later, 2025, datetime.date(2026, 3, 31))
        submission = Submission.objects.get(round=reporting_round, department__code="health")
        expected = expected_for(later, 2025, submission.department)
        streets = streets_in_year(later, 2025)
        hea01 = later.indicators.get(code="HEA-01")
        assert {area for (indicator, area) in expected.carried if indicator == hea01.pk} == {s.pk for s in streets}
        assert all(c.plan == earlier for c in expected.carried.values())

        form = EntryForm(submission)
        block = next(b for b in form.blocks if b.indicator.code == "HEA-01")
        assert all(r.carried for r in block.rows) and block.answered == len(streets)
        assert block.rows[0].carried_text == "91 (91/100)"
        assert (block.total.value, block.total.areas_reported) == (91, len(streets))  # counted in the total
        assert not [c for c in form.cells() if c.indicator == "HEA-01"]  # nothing of it is saved from the page

        # Completeness counts it as present; only the new indicator is still owed.
        completeness = round_completeness(reporting_round)
        health = next(r for r in completeness.departments if r.submission == submission)
        assert (health.expected, health.answered) == (len(streets) + 1, len(streets))
        assert [f.indicator for f in review_submission(submission).missing] == ["HEA-03"]

        # No way in: a value for it is refused with the plan named, and nothing is written.
        with pytest.raises(ValuesRejected) as refused:
            save_values(
                users.reporter,
                submission,
                [RawCell("HEA-01", streets[0].code, numerator=1, denominator=2)],
                channel=Channel.API,
            )
        assert "已在《示例规划》中报送" in str(refused.value.findings[0])
        assert not DataValue.objects.filter(round=reporting_round).exists()
        # An empty row for it (a template's untouched line) is no error.
        save_values(users.reporter, submission, [RawCell("HEA-01", streets[0].code)], channel=Channel.EXCEL)

        # The Excel template leaves it out.
        book = openpyxl.load_workbook(io.BytesIO(build_template(submission)))
        codes = {row[0] for row in book.worksheets[0].iter_rows(values_only=True)}
        assert "HEA-03" in codes and "HEA-01" not in codes

        # The department can submit with only the new indicator filled in.
        save_values(
            users.reporter,
            submission,
            [RawCell("HEA-03", later.area.code, numerator=9, denominator=10)],
            channel=Channel.WEB,
        )
        submitted = do_submit(users.reporter, Submission.objects.get(pk=submission.pk), None)
        assert submitted.state == "submitted"

    def test_entry_page_shows_it_read_only(self, client, users, plans):
        _earlier, later = plans
        do_open_round(users.office, later, 2025, datetime.date(2026, 3, 31))
        client.force_login(users.reporter)
        page = client.get(reverse("collection:entry", args=[later.code, 2025, "health"]) + "?open=HEA-01")
        body = page.content.decode()
        assert page.status_code == 200
        assert "已在《示例规划》中报送" in body
        assert 'name="HEA-01|' + streets_in_year(later, 2025)[0].code + '|numerator"' not in body
        assert 'name="HEA-03|330302|value"' in body or 'name="HEA-03|330302|numerator"' in body

    def test_a_value_not_yet_accepted_there_is_still_asked_for(self, users):
        earlier = load_plan(DATA / "mini-plan.yaml").plan
        fill(users, earlier, 2025, 91, accept=False)
        later = load_plan(DATA / "mini-plan-next.yaml").plan
        do_open_round(users.office, later, 2025, datetime.date(2026, 3, 31))
        health = Submission.objects.get(round__plan=later, round__year=2025, department__code="health")
        assert expected_for(later, 2025, health.department).carried == {}


@pytest.mark.django_db
class TestPages:
    """The evaluation, catalogue and portal pages of the later plan's indicator: the series from the
    earlier plan's first year, both plans' targets in their own years, the note and the link."""

    @pytest.fixture
    def later(self, users, plans):
        _earlier, later = plans
        fill(users, later, 2026, 94)
        return later

    def test_evaluation_indicator_page(self, client, users, later):
        client.force_login(users.leader)
        page = client.get("/plans/mini-plan-next/evaluation/indicators/HEA-01/?year=2026")
        assert page.status_code == 200
        chart = page.context["chart"]
        assert chart["years"] == ["2024", "2025", "2026", "2027"]
        assert chart["values"][:3] == [88.0, 91.0, 94.0]
        first, second = chart["plan_targets"]
        assert "示例规划" in first["name"] and "≥ 90%" in first["name"] and first["data"] == [90.0, 90.0, None, None]
        assert "示例后续规划" in second["name"] and second["data"] == [None, 95.0, 95.0, 95.0]
        body = page.content.decode()
        assert "自2025年起含产后42天内的第二次访视" in body and "口径变化" in body
        assert 'href="/plans/mini-plan/evaluation/indicators/HEA-01/"' in body
        marked = {y for _area, y, p in page.context["provenance"] if p.source.get("plan") == "mini-plan"}
        assert marked == {2024, 2025}
        download = client.get("/plans/mini-plan-next/evaluation/indicators/HEA-01/?year=2026&format=csv")
        csv_text = download.content.decode("utf-8-sig")
        assert "《示例规划》" in csv_text

    def test_catalogue_indicator_page(self, client, users, later):
        client.force_login(users.evaluator)
        page = client.get("/plans/mini-plan-next/indicators/HEA-01/")
        assert page.status_code == 200
        series = page.context["series"]
        assert [(r.year, r.point.value, r.plan_name, r.earlier) for r in series.rows] == [
            (2024, 88.0, "示例规划", True),
            (2025, 91.0, "示例规划", True),
            (2026, 94.0, "示例后续规划", False),
        ]
        assert len(series.chart["plan_targets"]) == 2 and series.chart["targets"] is None
        body = page.content.decode()
        assert "取《示例规划》中已接收的数值" in body  # the baseline is read, not typed
        assert 'href="/plans/mini-plan/indicators/HEA-01/"' in body
        # An indicator of one plan keeps its single target line.
        single = client.get("/plans/mini-plan-next/indicators/HEA-03/").context["series"]
        assert single.chart["plan_targets"] == [] and single.chart["targets"] == [92.0, 92.0]

    def test_portal_indicator_page(self, client, users, later):
        from childfirst.evaluation.actions import do_publish

        do_publish(users.office, later, 2026, reason="test")
        page = client.get("/open/mini-plan-next/indicators/HEA-01/")
        assert page.status_code == 200
        chart = page.context["series_chart"]
        assert chart["years"] == ["2024", "2025", "2026"] and chart["values"] == [88.0, 91.0, 94.0]
        assert [len(t["data"]) for t in chart["plan_targets"]] == [3, 3]
        assert [p for _y, _v, p in page.context["series_rows"]] == ["示例规划", "示例规划", "示例后续规划"]
        body = page.content.decode()
        assert "接续《示例规划》的 HEA-01" in body
        assert "/open/mini-plan/" not in body  # the earlier plan is not published: named, not linked
