"""`childfirst plan list` and the one rule by which every command that works on one plan picks it:
`--plan CODE`, else the only plan loaded, else a refusal that lists the plans."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from childfirst.evaluation.models import Snapshot
from childfirst.plans.commands import plan_from_option
from childfirst.plans.models import Domain, Indicator, KeyProject, Plan

LUCHENG = "lucheng-2021-2025"
MADEUP = "madeup-2021-2025"
LIST_KEYS = {
    "code", "name", "name_en", "area", "area_name", "area_level", "start_year", "end_year", "status",
    "synthetic", "succeeds", "version", "indicators",
}  # fmt: skip


def drop(plans) -> None:
    """Plans gone from the catalogue: a plan's parts protect each other, so they go in order."""
    for model in (Indicator, KeyProject, Domain):
        model.objects.filter(plan__in=plans).delete()
    plans.delete()


def no_plans() -> None:
    drop(Plan.objects.all())


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def commands(tmp_path) -> dict[str, list[str]]:
    """Every command that works on one plan, with the arguments it needs besides --plan."""
    return {
        "plan show": ["plan_show"],
        "data template": ["data_template", "--department", "health", "--year", "2025", "--out", str(tmp_path / "t")],
        "data export": ["data_export", "--year", "2025", "--out", str(tmp_path / "e.csv")],
        "evaluate": ["evaluate", "--year", "2025"],
        "publish": ["publish", "--year", "2025", "--reason", "test"],
        "report": ["report", "annual", "--year", "2025", "--out", str(tmp_path / "out")],
        "registry aggregates": ["registry_aggregates", "--year", "2025"],
    }


COMMANDS = ["plan show", "data template", "data export", "evaluate", "publish", "report", "registry aggregates"]


@pytest.mark.django_db
class TestPlanList:
    def test_one_plan(self):
        text = run("plan_list")
        assert LUCHENG in text and "330302" in text and "2021–2025" in text
        [record] = json.loads(run("plan_list", "--json"))
        assert set(record) == LIST_KEYS
        assert record["code"] == LUCHENG and record["area"] == "330302" and record["status"] == "in_force"
        assert record["synthetic"] is False and record["indicators"] == Plan.objects.get().indicators.active().count()

    def test_every_plan_is_listed(self, second_district):
        records = {r["code"]: r for r in json.loads(run("plan_list", "--json"))}
        assert set(records) == {LUCHENG, MADEUP}
        madeup = records[MADEUP]
        assert (madeup["area"], madeup["area_name"], madeup["start_year"], madeup["end_year"]) == (
            "990101", "示例虚构区", 2021, 2025,
        )  # fmt: skip
        assert madeup["indicators"] == 2 and madeup["area_level"] == "district"
        text = run("plan_list")
        assert LUCHENG in text and MADEUP in text and "示例虚构区" in text

    def test_no_plan(self):
        no_plans()
        assert json.loads(run("plan_list", "--json")) == []
        assert "childfirst plan load" in run("plan_list")


@pytest.mark.django_db
class TestTheRule:
    def test_the_helper(self, second_district):
        assert plan_from_option(MADEUP) == second_district.plan
        assert plan_from_option(LUCHENG).code == LUCHENG
        with pytest.raises(CommandError) as several:
            plan_from_option(None)
        assert "--plan" in str(several.value) and LUCHENG in str(several.value) and MADEUP in str(several.value)
        drop(Plan.objects.filter(code=MADEUP))
        assert plan_from_option(None).code == LUCHENG  # the only plan

    @pytest.mark.parametrize("name", COMMANDS)
    def test_several_plans_and_no_choice_is_refused_with_the_list(self, name, second_district, tmp_path):
        with pytest.raises(CommandError) as refused:
            run(*commands(tmp_path)[name])
        message = str(refused.value)
        assert "--plan" in message and "多个规划" in message  # Chinese first
        assert LUCHENG in message and MADEUP in message and "示例虚构区" in message
        assert not Snapshot.objects.exists() and not list(tmp_path.iterdir())  # nothing was done

    @pytest.mark.parametrize("name", COMMANDS)
    def test_an_unknown_plan_is_named_and_the_plans_listed(self, name, tmp_path):
        with translation.override("en"), pytest.raises(CommandError) as refused:
            run(*commands(tmp_path)[name], "--plan", "nosuch-2021")
        message = str(refused.value)
        assert "There is no plan nosuch-2021" in message and LUCHENG in message
        assert not Snapshot.objects.exists() and not list(tmp_path.iterdir())

    @pytest.mark.parametrize("name", COMMANDS)
    def test_no_plan_loaded(self, name, tmp_path):
        no_plans()
        with pytest.raises(CommandError, match="childfirst plan load"):
            run(*commands(tmp_path)[name])

    def test_the_only_plan_is_used_without_plan(self, tmp_path):
        assert "鹿城区" in run("evaluate", "--year", "2025")
        run("publish", "--year", "2025", "--reason", "test")
        assert Snapshot.objects.get().plan.code == LUCHENG
        assert json.loads(run("registry_aggregates", "--year", "2025", "--json"))["plan"] == LUCHENG

    def test_plan_picks_the_plan(self, second_district, tmp_path):
        madeup = second_district.plan
        shown = run("plan_show", "--plan", MADEUP)
        assert madeup.name in shown and "HEA-02" in shown and "鹿城" not in shown
        assert json.loads(run("plan_show", "--plan", MADEUP, "--json"))[0]["name"] == "新生儿访视率"
        evaluated = json.loads(run("evaluate", "--plan", MADEUP, "--year", "2025", "--json"))
        assert {r["area"] for r in evaluated} == {"990101", "990101001", "990101002"}
        for args in (commands(tmp_path)["data template"], commands(tmp_path)["data export"]):
            with pytest.raises(CommandError) as no_round:  # the made-up plan has no round: said about it
                run(*args, "--plan", MADEUP)
            assert MADEUP in str(no_round.value) or madeup.name in str(no_round.value)
        run("publish", "--plan", MADEUP, "--year", "2025", "--reason", "test")
        assert Snapshot.objects.get().plan == madeup
        aggregates = json.loads(run("registry_aggregates", "--plan", MADEUP, "--year", "2025", "--json"))
        assert aggregates["plan"] == MADEUP and not any(code.startswith("330302") for code in aggregates["homes"])


@pytest.mark.django_db
class TestDataImport:
    """The template names its plan: `data import` needs no --plan, and refuses a template of another."""

    def test_the_template_names_its_plan(self, second_district, round_2025, users, tmp_path):
        path = tmp_path / "health.xlsx"
        run("data_template", "--plan", LUCHENG, "--department", "health", "--year", "2025", "--out", str(path))
        with pytest.raises(CommandError) as refused:
            run("data_import", str(path), "--user", users.reporter.username, "--plan", MADEUP)
        assert LUCHENG in str(refused.value) and MADEUP in str(refused.value)
        with pytest.raises(CommandError, match="nosuch"):
            run("data_import", str(path), "--user", users.reporter.username, "--plan", "nosuch")
        # Without --plan (two plans loaded) and with its own plan, the file is read.
        for extra in ([], ["--plan", LUCHENG]):
            saved = run("data_import", str(path), "--user", users.reporter.username, *extra)
            assert "2025" in saved
