"""The demo's made-up 2026–2030 plan (demo/data/demo-lucheng-2026-2030.yaml) over the demo values of
the 2021–2025 plan: marked draft and synthetic, most indicators continuing with more ambitious
targets, its 2026 round open with drafts, and its indicator pages showing the series from 2021."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from childfirst.collection.models import DataValue, ReportingRound
from childfirst.demo.load import NEXT_PLAN_FILE, NEXT_ROUND
from childfirst.demo.succession import load_next_round
from childfirst.plans.access import plans_for_user
from childfirst.plans.loader import load_plan
from childfirst.plans.models import Plan, PlanStatus


@pytest.fixture
def next_plan(demo) -> Plan:
    return load_plan(NEXT_PLAN_FILE).plan


@pytest.mark.django_db
class TestDemoPlan:
    def test_marked_as_a_synthetic_draft_that_follows_the_2021_2025_plan(self, next_plan, users):
        assert (next_plan.status, next_plan.is_synthetic) == (PlanStatus.DRAFT, True)
        assert "演示草案" in next_plan.name and "demo draft" in next_plan.name_en
        assert next_plan.succeeds.code == "lucheng-2021-2025" and next_plan.area.code == "330302"
        assert (next_plan.start_year, next_plan.end_year) == (2026, 2030)
        assert {p.code for p in plans_for_user(users.office)} >= {"lucheng-2021-2025", next_plan.code}

    def test_most_continue_with_more_ambitious_targets_a_few_new_a_few_dropped(self, next_plan):
        indicators = list(next_plan.indicators.select_related("continues"))
        continuing = [i for i in indicators if i.continues]
        new = sorted(i.code for i in indicators if not i.continues)
        earlier = Plan.objects.get(code="lucheng-2021-2025")
        dropped = set(earlier.indicators.values_list("code", flat=True)) - {i.continues.code for i in continuing}
        assert len(continuing) >= 40 and 3 <= len(new) <= 4 and 5 <= len(dropped) <= 8
        for i in continuing:
            old = i.continues
            assert old.plan == earlier and old.unit == i.unit and old.comparator == i.comparator
            assert (i.baseline_year, i.baseline_value, i.target_year) == (2025, None, 2030)
            if i.comparator in (">=", ">") and i.target is not None:
                assert i.target >= old.target, i.code
            if i.comparator in ("<=", "<"):
                assert i.target <= old.target, i.code
        assert sum(1 for i in continuing if i.target != i.continues.target) >= 30
        assert len([i for i in continuing if i.continues_note]) == 2
        assert all("演示" in i.source_text for i in indicators)

    def test_its_2026_round_opens_with_drafts_once(self, next_plan):
        drafts = list(NEXT_ROUND["drafts"])
        first = load_next_round(next_plan, 2026, datetime.date(2027, 3, 31), drafts)
        assert first["next_rounds_created"] == 1 and first["next_values_created"] > 0
        reporting_round = ReportingRound.objects.get(plan=next_plan, year=2026)
        assert (reporting_round.deadline, reporting_round.is_open) == (datetime.date(2027, 3, 31), True)
        started = set(
            DataValue.objects.filter(round=reporting_round).values_list("submission__department__code", flat=True)
        )
        assert started == set(drafts)
        assert set(reporting_round.submissions.values_list("state", flat=True)) == {"draft"}
        again = load_next_round(next_plan, 2026, datetime.date(2027, 3, 31), drafts)
        assert again == {"next_rounds_created": 0, "next_values_created": 0}
        # The 2021–2025 plan's last round stays part-way, for the final evaluation.
        assert ReportingRound.objects.get(plan__code="lucheng-2021-2025", year=2025).is_open

    def test_an_indicator_page_shows_the_series_from_2021_with_both_targets(self, client, users, next_plan):
        """Done when: the new plan's indicator page shows its series from 2021 continuously with both
        plans' targets."""
        client.force_login(users.office)
        page = client.get(reverse("plans:indicator", args=[next_plan.code, "HEA-04"]))
        series = page.context["series"]
        assert [r.year for r in series.rows][:4] == [2021, 2022, 2023, 2024]
        assert {r.plan_name for r in series.rows} == {"鹿城区儿童发展“十四五”规划"}
        names = [t["name"] for t in series.chart["plan_targets"]]
        assert len(names) == 2 and "十四五" in names[0] and "十五五" in names[1]
        assert series.chart["years"][0] == "2021" and series.chart["years"][-1] == "2030"
        body = page.content.decode()
        assert "本规划为草案" in body and "并非真实规划" in body

        # The dashboards' page of it.
        page = client.get(reverse("evaluation:indicator", args=[next_plan.code, "HEA-04"]) + "?year=2026")
        chart = page.context["chart"]
        assert chart["years"][0] == "2021" and chart["values"][0] is not None
        first, second = chart["plan_targets"]
        assert first["data"][:5] == [90.0] * 5 and first["data"][5] is None
        assert second["data"][:5] == [None] * 5 and second["data"][5:] == [94.0] * 5
