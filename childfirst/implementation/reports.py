"""Which measures and key projects a department reports on, and when its report is complete.

impl-reports owns this module (the shared interface of issue 15); this minimal version, written to
the rule agreed there, keeps the scorecard branch runnable on its own and is replaced at merge."""

from __future__ import annotations

from django.db.models import QuerySet

from childfirst.plans.models import Department, KeyProject, Measure, Plan

from .models import ImplementationReport


def department_items(plan: Plan, department: Department) -> tuple[QuerySet[Measure], QuerySet[KeyProject]]:
    """The measures of every domain in which the department answers for at least one indicator
    (plans.Responsibility), and the key projects naming it, in plan order."""
    measures = Measure.objects.filter(
        domain__plan=plan,
        domain__indicators__retired_at__isnull=True,
        domain__indicators__responsibilities__department=department,
    ).distinct()
    key_projects = KeyProject.objects.filter(plan=plan, departments=department, retired_at__isnull=True)
    return measures.order_by("domain__number", "number"), key_projects.order_by("number")


def is_complete(report: ImplementationReport) -> bool:
    """Every measure and key project of the department has "what was done" filled in."""
    measures, key_projects = department_items(report.round.plan, report.department)
    filled = report.items.exclude(work_done="")
    filled_measures = set(filled.filter(measure__isnull=False).values_list("measure_id", flat=True))
    filled_projects = set(filled.filter(key_project__isnull=False).values_list("key_project_id", flat=True))
    return (
        set(measures.values_list("pk", flat=True)) <= filled_measures
        and set(key_projects.values_list("pk", flat=True)) <= filled_projects
    )
