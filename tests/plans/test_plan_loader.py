"""The plan loader: every problem reported with its place in the file, nothing changed on error,
reloads update in place, dropped indicators retire with their data kept."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

from childfirst.accounts.models import AuditEvent
from childfirst.datafile import DataFileInvalid
from childfirst.plans.loader import load_plan
from childfirst.plans.models import Indicator, Plan

DATA = Path(__file__).resolve().parents[1] / "data"
MINI = (DATA / "mini-plan.yaml").read_text(encoding="utf-8")


@pytest.fixture
def plan_dir(tmp_path: Path) -> Path:
    shutil.copy(DATA / "mini-plan.txt", tmp_path / "mini-plan.txt")
    return tmp_path


def write(plan_dir: Path, text: str) -> Path:
    path = plan_dir / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(DataFileInvalid) as caught:
        load_plan(path)
    return [str(p) for p in caught.value.problems]


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if fragment in line)


@pytest.mark.django_db
class TestErrors:
    def test_syntax_error_names_line(self, plan_dir):
        broken = MINI.replace("  version: v1", "  version: [v1")
        problems = problems_of(write(plan_dir, broken))
        assert len(problems) == 1
        assert "YAML 语法错误" in problems[0]
        assert re.search(r"plan\.yaml:\d+:\d+", problems[0])

    def test_every_schema_problem_is_listed_with_its_line(self, plan_dir):
        text = MINI.replace('comparator: ">="', 'comparator: "≥"').replace('    unit: "‰"', "    unit: permille")
        text = text.replace("    per_street: true", "    per_street: true\n    colour: red")
        problems = problems_of(write(plan_dir, text))
        joined = "\n".join(problems)
        assert len(problems) == 3, joined
        comparator_line = line_of(text, 'comparator: "≥"')
        assert f"plan.yaml:{comparator_line}:" in joined
        assert "indicators[0].comparator" in joined and "不允许" in joined
        assert f"plan.yaml:{line_of(text, 'unit: permille')}" in joined
        assert f"plan.yaml:{line_of(text, 'colour: red')}" in joined and "未知字段" in joined

    def test_cross_reference_problems(self, plan_dir):
        text = MINI.replace("departments: [{code: health, inferred: true}]", "departments: [{code: police}]")
        text = text.replace("    target: 5\n", "")
        text = text.replace("    measures: [1]", "    measures: [7]")
        joined = "\n".join(problems_of(write(plan_dir, text)))
        assert "未知的部门 police" in joined
        assert "需要目标值" in joined
        assert "没有措施 7" in joined

    def test_quote_not_in_the_plan_text_is_refused(self, plan_dir):
        text = MINI.replace("source_text: 婴儿死亡率控制在5‰以下。", "source_text: 婴儿死亡率控制在4‰以下。")
        joined = "\n".join(problems_of(write(plan_dir, text)))
        assert f"plan.yaml:{line_of(text, '控制在4‰')}" in joined
        assert "规划原文" in joined

    def test_duplicate_key_and_duplicate_code(self, plan_dir):
        text = MINI.replace("  - code: HEA-02", "  - code: HEA-01").replace(
            "  version: v1", "  version: v1\n  version: v2"
        )
        joined = "\n".join(problems_of(write(plan_dir, text)))
        assert "重复的键" in joined

        text = MINI.replace("  - code: HEA-02", "  - code: HEA-01")
        joined = "\n".join(problems_of(write(plan_dir, text)))
        assert "HEA-01 出现了不止一次" in joined

    def test_english_messages_available(self, plan_dir):
        text = MINI.replace('comparator: ">="', 'comparator: "≥"')
        with translation.override("en"):
            joined = "\n".join(problems_of(write(plan_dir, text)))
        assert "is not allowed; expected one of" in joined

    def test_a_bad_file_changes_nothing(self, plan_dir):
        load_plan(write(plan_dir, MINI))
        before = list(Indicator.objects.filter(plan__code="mini-plan").values_list("code", "name", "target"))
        events = AuditEvent.objects.count()
        bad = MINI.replace("name: 新生儿访视率", "name: 新生儿访视率（改）").replace("target: 5\n", "target: -5\n")
        with pytest.raises(DataFileInvalid):
            load_plan(write(plan_dir, bad))
        after = list(Indicator.objects.filter(plan__code="mini-plan").values_list("code", "name", "target"))
        assert after == before
        assert AuditEvent.objects.count() == events

    def test_command_prints_problems_without_traceback(self, plan_dir, migrated_var):
        bad = write(plan_dir, MINI.replace('comparator: ">="', "comparator: at-least"))
        env = {"CHILDFIRST_VAR_DIR": str(migrated_var), "PATH": "/usr/bin:/bin"}
        done = subprocess.run(
            [sys.executable, "-m", "childfirst", "plan", "load", str(bad)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert done.returncode != 0
        assert "Traceback" not in done.stderr
        assert "未作任何更改" in done.stderr
        assert f"plan.yaml:{line_of(bad.read_text(), 'at-least')}" in done.stderr


@pytest.mark.django_db
class TestReload:
    def test_reload_updates_in_place_and_never_duplicates(self, plan_dir):
        path = write(plan_dir, MINI)
        first = load_plan(path)
        assert first.created == 2
        ids = dict(Indicator.objects.filter(plan__code="mini-plan").values_list("code", "pk"))
        second = load_plan(path)
        assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
        assert Plan.objects.filter(code="mini-plan").count() == 1
        assert dict(Indicator.objects.filter(plan__code="mini-plan").values_list("code", "pk")) == ids

        changed = load_plan(write(plan_dir, MINI.replace("name: 婴儿死亡率", "name: 婴儿死亡率（修订）")))
        assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
        indicator = Indicator.objects.get(plan__code="mini-plan", code="HEA-02")
        assert indicator.pk == ids["HEA-02"] and indicator.name == "婴儿死亡率（修订）"

    def test_dropped_indicator_is_retired_and_comes_back(self, plan_dir):
        load_plan(write(plan_dir, MINI))
        kept = Indicator.objects.get(plan__code="mini-plan", code="HEA-02")
        without = MINI[: MINI.index("  - code: HEA-02")]
        result = load_plan(write(plan_dir, without))
        assert result.retired == ["HEA-02"]
        retired = Indicator.objects.get(pk=kept.pk)
        assert retired.retired_at is not None
        assert retired.responsibilities.count() == 1  # its data stays
        assert not Indicator.objects.active().filter(pk=kept.pk).exists()

        again = load_plan(write(plan_dir, MINI))
        assert again.reinstated == ["HEA-02"]
        assert Indicator.objects.get(pk=kept.pk).retired_at is None

    def test_load_is_audited(self, plan_dir):
        load_plan(write(plan_dir, MINI))
        event = AuditEvent.objects.filter(action="plan.load").first()
        assert event.object_id == str(Plan.objects.get(code="mini-plan").pk)
        assert event.detail["indicators_created"] == 2


@pytest.mark.django_db
def test_a_second_made_up_district_loads_beside_lucheng(second_district):
    """The made-up district 990101 and its plan load next to Lucheng's: two plans, each district
    with its own departments of the same codes, targets and source text of their own."""
    from childfirst.areas.models import Area
    from childfirst.plans.models import Department

    plan = second_district.plan
    assert set(Plan.objects.values_list("code", flat=True)) >= {"lucheng-2021-2025", "madeup-2021-2025"}
    assert plan.area.code == "990101" and plan.area.name == "示例虚构区"
    streets = Area.objects.get(code="990101").children.order_by("code")
    assert [s.code for s in streets] == ["990101001", "990101002"]
    assert Area.objects.filter(code__startswith="990101", level="community").count() == 3
    health = Department.objects.filter(code="health").order_by("area__code")
    assert [(d.area.code, d.name) for d in health] == [("330302", "区卫健局"), ("990101", "虚构区卫健局")]
    visits = Indicator.objects.get(plan=plan, code="HEA-01")
    assert (visits.target, visits.per_street) == (95, True)
    assert [(d.code, d.area.code) for d in visits.departments()] == [("health", "990101")]
    assert Indicator.objects.get(plan__code="lucheng-2021-2025", code="HEA-01").plan.area.code == "330302"
    # Loading it again changes nothing, and leaves Lucheng alone.
    again = load_plan(DATA / "second-district-plan.yaml")
    assert again.created == 0 and again.plan == plan


NEXT = (DATA / "mini-plan-next.yaml").read_text(encoding="utf-8")


@pytest.mark.django_db
class TestContinues:
    """`continues: plan/CODE` must name a loaded, earlier plan of the same area and an indicator
    in it with the same unit; a refusal names its place in the file and writes nothing."""

    def refused(self, plan_dir: Path, text: str, fragment: str) -> str:
        load_plan(DATA / "mini-plan.yaml")
        joined = "\n".join(problems_of(write(plan_dir, text)))
        assert f"plan.yaml:{line_of(text, fragment)}:" in joined, joined
        assert not Plan.objects.filter(code="mini-plan-next").exists()
        return joined

    def test_an_unloaded_plan(self, plan_dir):
        text = NEXT.replace("continues: mini-plan/HEA-01", "continues: nowhere-2021/HEA-01")
        assert "规划 nowhere-2021 尚未载入" in self.refused(plan_dir, text, "nowhere-2021")

    def test_a_plan_that_is_not_earlier(self, plan_dir):
        text = NEXT.replace("start_year: 2025", "start_year: 2021")
        assert "不是本地区更早的规划" in self.refused(plan_dir, text, "continues: mini-plan/HEA-01")

    def test_another_areas_plan(self, plan_dir, second_district):
        text = NEXT.replace("continues: mini-plan/HEA-01", "continues: madeup-2021-2025/HEA-01")
        text = text.replace("start_year: 2025", "start_year: 2026")
        assert "不是本地区更早的规划" in self.refused(plan_dir, text, "madeup-2021-2025")

    def test_an_unknown_indicator(self, plan_dir):
        text = NEXT.replace("continues: mini-plan/HEA-01", "continues: mini-plan/HEA-09")
        assert "规划 mini-plan 中没有指标 HEA-09" in self.refused(plan_dir, text, "HEA-09")

    def test_a_different_unit(self, plan_dir):
        text = NEXT.replace("continues: mini-plan/HEA-01", "continues: mini-plan/HEA-02")
        assert "同一数据序列不能改变单位" in self.refused(plan_dir, text, "mini-plan/HEA-02")

    def test_succeeds_a_plan_of_another_area(self, plan_dir, second_district):
        text = NEXT.replace("succeeds: mini-plan", "succeeds: madeup-2021-2025")
        assert "属于其他地区" in self.refused(plan_dir, text, "succeeds: madeup")

    def test_a_valid_one_is_stored_and_reloads_unchanged(self, plan_dir):
        load_plan(DATA / "mini-plan.yaml")
        first = load_plan(write(plan_dir, NEXT))
        plan = first.plan
        assert (plan.status, plan.is_synthetic, plan.succeeds.code) == ("draft", True, "mini-plan")
        visits = Indicator.objects.get(plan=plan, code="HEA-01")
        earlier = Indicator.objects.get(plan__code="mini-plan", code="HEA-01")
        assert visits.continues == earlier and visits.continues_note == "自2025年起含产后42天内的第二次访视"
        assert list(earlier.continued_by.all()) == [visits]
        assert Indicator.objects.get(plan=plan, code="HEA-03").continues is None
        again = load_plan(write(plan_dir, NEXT))
        assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
        assert Indicator.objects.get(pk=visits.pk).continues == earlier
