"""Target revisions: the revisions file (checked whole, all or nothing, idempotent), the target in
force in a year, and the pages that show a plan's revisions (refused outside the plan's area)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from childfirst.accounts.models import AuditEvent
from childfirst.plans.models import Indicator, TargetRevision
from childfirst.plans.revisions import load_revisions
from childfirst.plans.targets import (
    apply_targets_in_force,
    original_target,
    target_in_force,
    target_line,
    targets_in_force,
)
from tests.conftest import make_second_district

PLAN = "lucheng-2021-2025"
GOOD = (Path(__file__).resolve().parents[1] / "data" / "hea17-revision.yaml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str, name: str = "revisions.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def revised(db, tmp_path) -> Path:
    path = write(tmp_path, GOOD)
    load_revisions(path)
    return path


@pytest.mark.django_db
class TestLoading:
    def test_a_file_is_loaded_with_its_decision_and_an_audit_row(self, tmp_path, capsys):
        call_command("plan_revise", str(write(tmp_path, GOOD)))
        revision = TargetRevision.objects.get()
        assert (revision.indicator.code, revision.from_year, revision.target) == ("HEA-17", 2023, Decimal(96))
        assert revision.decided_on == datetime.date(2023, 6, 30) and revision.document == "测试：鹿妇儿工委〔2023〕1号"
        assert revision.comparator == "" and revision.target_year is None  # unchanged: as in the plan
        event = AuditEvent.objects.get(action="plan.revise_targets")
        assert event.detail["created"] == ["HEA-17@2023"] and event.area_code == "330302"
        assert "新增 1 项" in capsys.readouterr().out
        # The plan file keeps the original target.
        assert Indicator.objects.get(plan__code=PLAN, code="HEA-17").target == Decimal(90)

    def test_reloading_the_same_file_changes_nothing(self, revised, capsys):
        before = list(TargetRevision.objects.values())
        events = AuditEvent.objects.count()
        call_command("plan_revise", str(revised))
        assert list(TargetRevision.objects.values()) == before
        assert AuditEvent.objects.count() == events
        assert "未变 1 项" in capsys.readouterr().out

    def test_a_dry_run_says_what_would_change_and_changes_nothing(self, tmp_path, capsys):
        call_command("plan_revise", str(write(tmp_path, GOOD)), "--dry-run")
        out = capsys.readouterr().out
        assert "试运行" in out and "新增 1 项" in out
        assert not TargetRevision.objects.exists() and not AuditEvent.objects.filter(action="plan.revise_targets")

    def test_a_revision_dropped_from_the_file_is_removed_and_a_changed_one_updated(self, revised, tmp_path):
        changed = GOOD.replace("target: 96", "target: 95").replace("HEA-17", "HEA-15")
        result = load_revisions(write(tmp_path, changed, "second.yaml"))
        assert result.created == ["HEA-15@2023"] and result.removed == ["HEA-17@2023"]
        result = load_revisions(write(tmp_path, changed.replace("target: 95", "target: 97"), "third.yaml"))
        assert result.updated == ["HEA-15@2023"]
        assert list(TargetRevision.objects.values_list("indicator__code", "target")) == [("HEA-15", Decimal(97))]

    def test_a_bad_file_is_refused_whole_with_every_problem_and_its_place(self, tmp_path):
        bad = """\
schema_version: 1
plan: lucheng-2021-2025
revisions:
  - indicator: XX-99
    from_year: 2023
    target: 96
    decided_on: 2023-06-30
    document: 测试
  - indicator: HEA-17
    from_year: 2021
    target: 120
    decided_on: 2023-06-30
    document: 测试
  - indicator: HEA-17
    from_year: 2024
    decided_on: 2023-06-30
    document: 测试
  - indicator: HEA-04
    from_year: 2026
    target: -1
    target_year: 2040
    decided_on: 2099-01-01
    document: 测试
  - indicator: HEA-04
    from_year: 2024
    target: 95
    decided_on: 2023-06-30
    document: 测试
  - indicator: HEA-04
    from_year: 2024
    target: 95
    decided_on: 2023-06-30
    document: 测试
"""
        path = write(tmp_path, bad)
        with pytest.raises(CommandError) as refused:
            call_command("plan_revise", str(path))
        message = str(refused.value)
        assert "未作任何更改" in message
        expected = [
            (":4:16: revisions[0].indicator", "没有指标 XX-99"),
            (":10:16: revisions[1].from_year", "2021 年不是规划期"),
            (":11:13: revisions[1].target", "百分比目标值不能超过 100"),
            (":14:5: revisions[2].target", "需要目标值"),
            (":19:16: revisions[3].from_year", "2026 年不是规划期"),
            (":20:13: revisions[3].target", "目标值不能为负数"),
            (":21:18: revisions[3].target_year", "目标年份 2040 不在规划期内"),
            (":22:17: revisions[3].decided_on", "决定日期晚于今天"),
            (":25:16: revisions[4].from_year", "HEA-04 自 2024 年起的目标调整重复出现"),
        ]
        lines = message.splitlines()
        for place, text in expected:
            assert any(place in line and text in line for line in lines), (place, text, message)
        assert not TargetRevision.objects.exists()

    def test_schema_problems_and_an_unknown_plan_are_refused_with_their_place(self, tmp_path):
        missing = GOOD.replace("    document: 测试：鹿妇儿工委〔2023〕1号\n", "")
        with pytest.raises(CommandError, match=r"revisions\[0\]\.document: 缺少必填字段"):
            call_command("plan_revise", str(write(tmp_path, missing, "a.yaml")))
        with pytest.raises(CommandError, match=r":2:7: plan: 规划 nope 尚未载入"):
            call_command("plan_revise", str(write(tmp_path, GOOD.replace(PLAN, "nope"), "b.yaml")))
        assert not TargetRevision.objects.exists()

    def test_a_comparator_change_is_checked_against_the_target(self, tmp_path):
        directional = GOOD.replace("    target: 96\n", "    comparator: up\n    target: 96\n")
        with pytest.raises(CommandError, match="比较方式 up 不应有目标值"):
            call_command("plan_revise", str(write(tmp_path, directional)))


@pytest.mark.django_db
class TestTargetInForce:
    def test_the_plan_target_before_the_revision_and_the_new_one_from_its_year(self, revised, plan):
        indicator = plan.indicators.get(code="HEA-17")
        assert target_in_force(indicator, 2022).target == Decimal(90)
        assert target_in_force(indicator, 2022).revision is None
        for year in (2023, 2024, 2025):
            spec = target_in_force(indicator, year)
            assert spec.target == Decimal(96) and spec.comparator == ">=" and spec.target_year == 2025
            assert spec.revision is not None and spec.revision.document == "测试：鹿妇儿工委〔2023〕1号"
        assert target_line(indicator, range(2020, 2026)) == [90.0, 90.0, 90.0, 96.0, 96.0, 96.0]

    def test_later_revisions_apply_over_earlier_ones(self, revised, plan, tmp_path):
        later = GOOD + (
            "  - indicator: HEA-17\n    from_year: 2025\n    target: 97\n    target_year: 2026\n"
            "    decided_on: 2024-12-01\n    document: 测试：2号\n"
        )
        load_revisions(write(tmp_path, later, "later.yaml"))
        indicator = plan.indicators.get(code="HEA-17")
        assert target_in_force(indicator, 2024).target == Decimal(96)
        spec = target_in_force(indicator, 2025)
        assert (spec.target, spec.target_year, spec.comparator) == (Decimal(97), 2026, ">=")

    def test_the_bulk_form_is_one_query_for_the_whole_plan(self, revised, plan, django_assert_num_queries):
        indicators = list(plan.indicators.active())
        with django_assert_num_queries(1):
            specs = targets_in_force(indicators, 2024)
        by_code = {i.code: specs[i.pk] for i in indicators}
        assert by_code["HEA-17"].target == Decimal(96)
        assert by_code["HEA-04"].target == Decimal(90) and by_code["HEA-04"].revision is None

    def test_an_indicator_carrying_a_years_target_cannot_be_saved(self, revised, plan):
        indicator = plan.indicators.get(code="HEA-17")
        apply_targets_in_force([indicator], 2024)
        assert indicator.target == Decimal(96) and original_target(indicator).target == Decimal(90)
        assert indicator.target_display == "≥ 96%"
        with pytest.raises(ValueError):
            indicator.save()
        assert Indicator.objects.get(pk=indicator.pk).target == Decimal(90)


@pytest.mark.django_db
class TestPages:
    def test_the_catalogue_page_names_the_revision_with_its_decision(self, client, users, revised):
        client.force_login(users.leader)
        page = client.get(f"/plans/{PLAN}/indicators/HEA-17/").content.decode()
        assert "目标调整" in page
        assert "2023 年起 ≥ 96%（原 ≥ 90%），依据 测试：鹿妇儿工委〔2023〕1号，2023-06-30" in page
        assert f'href="/plans/{PLAN}/revisions/"' in page
        unrevised = client.get(f"/plans/{PLAN}/indicators/HEA-04/").content.decode()
        assert "目标调整" not in unrevised

    def test_the_plan_page_links_the_revisions_page_which_lists_them(self, client, users, revised):
        client.force_login(users.reporter)
        plan_page = client.get(f"/plans/{PLAN}/").content.decode()
        assert f'href="/plans/{PLAN}/revisions/"' in plan_page
        page = client.get(f"/plans/{PLAN}/revisions/")
        body = page.content.decode()
        assert page.status_code == 200
        for text in (
            "HEA-17",
            "≥ 96%",
            "≥ 90%",
            "2023-06-30",
            "测试：鹿妇儿工委〔2023〕1号",
            "测试：中期评估后提高目标",
        ):
            assert text in body, text

    def test_the_revisions_page_without_revisions_says_so(self, client, users):
        client.force_login(users.office)
        assert "本规划尚无目标调整" in client.get(f"/plans/{PLAN}/revisions/").content.decode()

    def test_the_revisions_page_is_refused_outside_the_plans_area(self, client, users, revised):
        second = make_second_district()
        client.force_login(second.office)
        assert client.get(f"/plans/{PLAN}/revisions/").status_code == 403
        assert client.get(f"/plans/{second.plan.code}/revisions/").status_code == 200
        client.force_login(users.office)
        assert client.get(f"/plans/{second.plan.code}/revisions/").status_code == 403
        assert client.get("/plans/nope/revisions/").status_code == 404
        client.logout()
        assert client.get(f"/plans/{PLAN}/revisions/").status_code == 302  # to the login page
