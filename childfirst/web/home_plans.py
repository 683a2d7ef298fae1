"""The home page's work per plan. With several plans loaded (2021–2025 in its final evaluation beside
2026–2030 with its first round open) each plan the user sees gets its own block: the office's open
rounds and the plan's evaluation state, a leader's status summary and latest report. Every link in
a block names that block's plan."""

from __future__ import annotations

from dataclasses import dataclass, field

from childfirst.plans.models import Plan
from childfirst.reports.models import ReportJob

from .home_collection import RoundProgress, open_rounds
from .home_oversight import StatusSummary, latest_report, status_summary


@dataclass
class PlanWork:
    plan: Plan
    summary: StatusSummary | None
    latest_report: ReportJob | None = None
    rounds: list[RoundProgress] = field(default_factory=list)

    @property
    def final_published(self) -> bool:
        """The published evaluation is the plan's final one (its last year)."""
        return self.summary is not None and self.summary.snapshot.year == self.plan.end_year


def office_plan_work(plans: list[Plan]) -> list[PlanWork]:
    """Per plan: its open rounds' progress and its newest published evaluation."""
    return [PlanWork(plan, status_summary(plan), rounds=open_rounds(plan)) for plan in plans]


def oversight_plan_work(plans: list[Plan]) -> list[PlanWork]:
    """Per plan: its newest published evaluation's status summary and newest finished report."""
    return [PlanWork(plan, status_summary(plan), latest_report(plan)) for plan in plans]
