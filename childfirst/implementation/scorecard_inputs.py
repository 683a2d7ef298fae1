"""What the scorecard (scorecard.py) scores, read from the database: per department of a plan and year,
its indicators' statuses, its data's completeness and timeliness, its implementation report's, and the
recommendations addressed to it; and the weights in force. Only codes, names and counts leave here.

The statuses, and the data's completeness and timeliness, come from the year's published evaluation (its
newest version) when there is one, so the assessment rests on the figures of record; before publication,
from the live evaluation of the accepted data and the round as it stands. `Gathered.snapshot` says which,
and the page and the Excel file print it (scorecard_export.source_text).
"""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from childfirst.collection.completeness import round_completeness
from childfirst.collection.models import ReportingRound
from childfirst.evaluation.dashboard import board
from childfirst.evaluation.models import Snapshot, SnapshotResult
from childfirst.evaluation.published import published_snapshot
from childfirst.plans.models import Department, Plan

from .models import Assignment, AssignmentState, ImplementationReport, ScorecardWeights
from .reports import department_items
from .scorecard import DEFAULT_FILE, Inputs, Scorecard, Timeliness, Weights, parse_weights, score_all


@dataclass(frozen=True)
class WeightsInForce:
    weights: Weights
    raw: bytes
    name: str
    sha256: str
    uploaded: ScorecardWeights | None  # None: the file shipped in the package


def weights_in_force(plan: Plan) -> WeightsInForce:
    """The office's newest upload for the plan, else the package's default file."""
    upload = ScorecardWeights.objects.filter(plan=plan).select_related("uploaded_by").first()
    if upload is None:
        raw = DEFAULT_FILE.read_bytes()
        return WeightsInForce(parse_weights(raw, DEFAULT_FILE.name), raw, DEFAULT_FILE.name, _sha(raw), None)
    raw = upload.content.encode()
    return WeightsInForce(parse_weights(raw, upload.name), raw, upload.name, upload.sha256, upload)


def _sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


@dataclass
class Gathered:
    plan: Plan
    year: int
    as_of: datetime.date
    snapshot: Snapshot | None  # the published evaluation the statuses come from; None: live
    reporting_round: ReportingRound | None
    weights: WeightsInForce
    cards: list[Scorecard]


def scored_departments(plan: Plan) -> list[Department]:
    """The plan's departments that lead an indicator or answer for a key project, in code order."""
    return list(
        Department.objects.filter(area=plan.area)
        .filter(
            Q(responsibilities__indicator__plan=plan, responsibilities__indicator__retired_at__isnull=True)
            | Q(key_projects__plan=plan, key_projects__retired_at__isnull=True)
        )
        .distinct()
        .order_by("code")
    )


def _statuses(plan: Plan, year: int, snapshot: Snapshot | None) -> dict[int, str]:
    """Indicator id → its district status in the year (published if there is a snapshot, else live)."""
    if snapshot is not None:
        return dict(
            SnapshotResult.objects.filter(snapshot=snapshot, area_id=plan.area_id).values_list("indicator_id", "status")
        )
    return {row.indicator.pk: row.result.status for row in board(plan, year).district}


@dataclass(frozen=True)
class DataRow:
    expected: int
    answered: int
    timeliness: Timeliness


def _data_rows(reporting_round: ReportingRound | None, snapshot: Snapshot | None) -> dict[str, DataRow]:
    """Department code → its data's completeness and timeliness: as frozen in the published evaluation
    when it kept them (evaluation/completeness_record.py), else the round as it stands."""
    when: dict[bool | None, Timeliness] = {True: "on_time", False: "late", None: "missing"}
    if snapshot is not None and snapshot.completeness:
        return {
            d["code"]: DataRow(d["expected"], d["answered"], when[d["on_time"]])
            for d in snapshot.completeness["departments"]
        }
    if reporting_round is None:
        return {}
    return {
        r.submission.department.code: DataRow(r.expected, r.answered, when[r.on_time])
        for r in round_completeness(reporting_round).departments
    }


def _timeliness(sent_at: datetime.datetime | None, deadline: datetime.date) -> Timeliness:
    if sent_at is None:
        return "missing"
    return "on_time" if timezone.localdate(sent_at) <= deadline else "late"


def gather(
    plan: Plan, year: int, *, departments: list[Department] | None = None, as_of: datetime.date | None = None
) -> Gathered:
    """Every scored department's scorecard for the year (or only `departments`'), with the weights in
    force. A recommendation counts once its due date is before `as_of` (today) or it was closed."""
    as_of = as_of or timezone.localdate()
    weights = weights_in_force(plan)
    snapshot = published_snapshot(plan, year)
    statuses = _statuses(plan, year, snapshot)
    reporting_round = ReportingRound.objects.filter(plan=plan, year=year).first()
    data_rows = _data_rows(reporting_round, snapshot)
    reports = {
        r.department_id: r for r in ImplementationReport.objects.for_plan_year(plan, year).prefetch_related("items")
    }
    inputs = []
    for department in departments if departments is not None else scored_departments(plan):
        led = plan.indicators.active().led_by(department).values_list("pk", flat=True)
        counts = Counter(statuses.get(pk, "insufficient_data") for pk in led)
        row = data_rows.get(department.code)
        expected = row.expected if row is not None else 0
        measures, key_projects = department_items(plan, department)
        wanted = {("m", m.pk) for m in measures} | {("k", k.pk) for k in key_projects}
        report = reports.get(department.pk)
        filled = 0
        if report is not None:
            filled = sum(
                1
                for item in report.items.all()
                if item.work_done.strip()
                and (("m", item.measure_id) if item.measure_id else ("k", item.key_project_id)) in wanted
            )
        due = on_time = 0
        for assignment in Assignment.objects.for_department_year(department, plan, year).select_related(
            "recommendation"
        ):
            if assignment.state == AssignmentState.CLOSED or assignment.recommendation.due_date < as_of:
                due += 1
                on_time += assignment.closed_on_time
        deadline = reporting_round.deadline if reporting_round is not None else as_of
        inputs.append(
            Inputs(
                department_code=department.code,
                department_name=department.display_name,
                statuses=dict(counts),
                data_expected=expected if expected else None,
                data_answered=row.answered if row is not None else 0,
                data_timeliness=row.timeliness if row is not None else "missing",
                report_expected=len(wanted),
                report_filled=filled,
                report_timeliness=_timeliness(report.submitted_at if report else None, deadline),
                report_state=report.state if report else None,
                recommendations_due=due,
                recommendations_on_time=on_time,
            )
        )
    return Gathered(plan, year, as_of, snapshot, reporting_round, weights, score_all(inputs, weights.weights))
