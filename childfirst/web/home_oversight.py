"""The home page's sections for oversight: the published evaluation's status summary (the district's
indicators by status, with those at risk or not achieved as the office's warnings) and the newest
finished report. Two or three queries whatever the plan's size."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from childfirst.evaluation.labels import STATUS_LABELS, STATUS_ORDER
from childfirst.evaluation.models import Snapshot, SnapshotResult
from childfirst.evaluation.published import published_snapshot
from childfirst.plans.models import Plan
from childfirst.reports.models import JobState, ReportJob

WARNING_STATUSES = ("not_achieved", "at_risk")


@dataclass
class StatusSummary:
    snapshot: Snapshot
    counts: list[tuple[str, str, int]]  # (status, label, indicators) worst first

    @property
    def warnings(self) -> int:
        return sum(n for status, _label, n in self.counts if status in WARNING_STATUSES)

    @property
    def total(self) -> int:
        return sum(n for _status, _label, n in self.counts)


def status_summary(plan: Plan | None) -> StatusSummary | None:
    """The district's indicators by status in the newest published evaluation; None before any."""
    snapshot = published_snapshot(plan) if plan is not None else None
    if snapshot is None or plan is None:
        return None
    rows = dict(
        SnapshotResult.objects.filter(snapshot=snapshot, area_id=plan.area_id)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    order = STATUS_ORDER + sorted(set(rows) - set(STATUS_ORDER))
    return StatusSummary(snapshot, [(s, str(STATUS_LABELS.get(s, s)), rows[s]) for s in order if rows.get(s)])


def latest_report(plan: Plan | None) -> ReportJob | None:
    if plan is None:
        return None
    return ReportJob.objects.filter(snapshot__plan=plan, state=JobState.DONE).select_related("snapshot").first()
