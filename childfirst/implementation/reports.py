"""What a department's implementation report covers, and how complete it is.

The rule (issue 15): a department reports on the measures of every domain in which it is responsible
for at least one indicator (plans.Responsibility), and on every key project that names it
(KeyProject.departments). A report is complete when every item has "what was done" filled in."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from childfirst.collection.models import ReportingRound, SubmissionState
from childfirst.plans.models import Department, KeyProject, Measure, Plan

from .models import ImplementationReport, ReportItem

SENT = {SubmissionState.SUBMITTED, SubmissionState.APPROVED, SubmissionState.ACCEPTED}


def department_items(plan: Plan, department: Department) -> tuple[list[Measure], list[KeyProject]]:
    """The measures and key projects `department` reports on in `plan` (the rule above), in plan order."""
    measures = list(
        Measure.objects.filter(domain__plan=plan, domain__indicators__responsibilities__department=department)
        .distinct()
        .select_related("domain")
        .order_by("domain__number", "number")
    )
    key_projects = list(
        KeyProject.objects.filter(plan=plan, departments=department, retired_at__isnull=True)
        .select_related("domain")
        .order_by("number")
    )
    return measures, key_projects


def reporting_departments(plan: Plan) -> list[Department]:
    """Every department with at least one measure or key project to report on in `plan`."""
    return list(
        Department.objects.filter(
            Q(responsibilities__indicator__plan=plan) | Q(key_projects__plan=plan, key_projects__retired_at=None)
        )
        .distinct()
        .order_by("code")
    )


def new_items(report: ImplementationReport, plan: Plan) -> list[ReportItem]:
    """Empty items for the report's department (unsaved): one per measure, one per key project."""
    measures, key_projects = department_items(plan, report.department)
    return [ReportItem(report=report, key_project=k) for k in key_projects] + [
        ReportItem(report=report, measure=m) for m in measures
    ]


def items_of(report: ImplementationReport) -> list[ReportItem]:
    """The report's items in the order of the form and the Word file: key projects, then measures by domain."""
    items = list(
        report.items.select_related("measure__domain", "key_project__domain").order_by(
            "key_project__number", "measure__domain__number", "measure__number"
        )
    )
    return sorted(items, key=lambda i: (i.key_project is None, i.key_project.number if i.key_project else 0))


def item_label(item: ReportItem) -> str:
    """How the form, the Word file and its errors name an item."""
    if item.key_project is not None:
        return f"{item.key_project.display_name}"
    assert item.measure is not None
    return f"{item.measure.domain.display_name} · {item.measure.number}. {item.measure.title}"


def is_complete(report: ImplementationReport) -> bool:
    """Every item of the report has "what was done" filled in (a report without items is complete)."""
    return not report.items.filter(work_done__regex=r"^\s*$").exists()


def is_on_time(report: ImplementationReport) -> bool | None:
    """True/False once submitted (submitted on or before the round's deadline); None before."""
    if report.submitted_at is None:
        return None
    return timezone.localdate(report.submitted_at) <= report.round.deadline


@dataclass
class RoundRow:
    """One department's line on the round's page."""

    report: ImplementationReport
    items: int
    filled: int
    documents: int
    deadline_passed: bool

    @property
    def complete(self) -> bool:
        return self.filled == self.items

    @property
    def percent(self) -> int:
        return round(100 * self.filled / self.items) if self.items else 100

    @property
    def on_time(self) -> bool | None:
        return is_on_time(self.report)

    @property
    def overdue(self) -> bool:
        """Not submitted although the deadline has passed."""
        return self.deadline_passed and self.report.state not in SENT


def round_rows(reporting_round: ReportingRound, department_id: int | None = None) -> list[RoundRow]:
    """Each department's report of the round with its completeness, in one query (`department_id`:
    that department's only)."""
    reports = ImplementationReport.objects.filter(round=reporting_round)
    if department_id is not None:
        reports = reports.filter(department_id=department_id)
    reports = (
        reports.select_related("department")
        .annotate(
            n_items=Count("items", distinct=True),
            n_filled=Count("items", filter=~Q(items__work_done__regex=r"^\s*$"), distinct=True),
            n_documents=Count("documents", distinct=True),
        )
        .order_by("department__code")
    )
    passed = timezone.localdate() > reporting_round.deadline
    rows = []
    for report in reports:
        report.round = reporting_round
        rows.append(
            RoundRow(
                report=report,
                items=report.n_items,
                filled=report.n_filled,
                documents=report.n_documents,
                deadline_passed=passed,
            )
        )
    return rows
