"""The demo's yearly assessments of the plan's key projects, as the office would record them.
The assessments themselves are data: `data/lucheng-assessments.yaml`."""

from __future__ import annotations

import datetime
from pathlib import Path

import yaml

from childfirst.evaluation.actions import do_assess
from childfirst.evaluation.models import Assessment
from childfirst.plans.models import Plan

ASSESSMENT_FILE = Path(__file__).resolve().parent / "data" / "lucheng-assessments.yaml"


def read_assessments(path: Path = ASSESSMENT_FILE) -> dict[str, dict[int, tuple[str, str]]]:
    """key project code → year → (status, evidence)."""
    with path.open(encoding="utf-8") as stream:
        data = yaml.safe_load(stream)
    return {
        code: {int(year): (entry["status"], entry["evidence"]) for year, entry in years.items()}
        for code, years in data.items()
    }


# The demo's assessments of the key projects (synthetic, and worded so: "演示").
DEMO_ASSESSMENTS = read_assessments()


def assess_demo_key_projects(plan: Plan) -> int:
    """The demo's yearly assessments of the key projects (once per project and year; a later run adds
    none). Call it before the demo publishes its evaluations, so the published ones include them."""
    recorded = 0
    projects = {p.code: p for p in plan.key_projects.filter(code__in=DEMO_ASSESSMENTS)}
    assessed = set(
        Assessment.objects.filter(plan=plan, key_project__in=projects.values()).values_list("key_project_id", "year")
    )
    for code, years in DEMO_ASSESSMENTS.items():
        project = projects.get(code)
        if project is None:
            continue
        for year, (status, evidence) in years.items():
            if (project.pk, year) in assessed or not plan.start_year <= year <= plan.end_year:
                continue
            do_assess(
                None,
                plan,
                year=year,
                status=status,
                evidence=evidence,
                assessed_on=datetime.date(year + 1, 1, 20),
                key_project=project,
            )
            recorded += 1
    return recorded
