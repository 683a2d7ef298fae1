"""The demo's departmental implementation reports (synthetic): for the demo plan, every closed round's
reports accepted, and the open round's in every workflow state (draft, submitted, approved, returned
with a reason, accepted) — health's left a draft with its summary and last items empty for the demo
reporter to finish. Texts come from data/lucheng-implementation-reports.yaml, composed per measure and
key project, funds per key project.
Idempotent: a round that already has reports is left alone."""

from __future__ import annotations

import datetime
import zlib
from decimal import Decimal
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from childfirst.accounts.models import Role, User
from childfirst.collection.models import ReportingRound, SubmissionState
from childfirst.implementation.models import ImplementationReport, ReportItem
from childfirst.implementation.reports import new_items, reporting_departments
from childfirst.plans.models import Plan

DATA = Path(__file__).resolve().parent / "data" / "lucheng-implementation-reports.yaml"


def _pick(options: list[str], *seed: object) -> str:
    """A stable choice (the same on every run) among `options`."""
    return options[zlib.crc32("|".join(map(str, seed)).encode()) % len(options)]


def _fill(item: ReportItem, year: int, texts: dict) -> None:
    marker = texts["marker"]
    if item.key_project is not None:
        project = texts["key_projects"].get(item.key_project.code, {})
        domain = texts["domains"][item.key_project.domain.code]
        budget = Decimal(project.get("budget", 100))
        # the spend varies around the budget, year by year and project by project (85%–104%)
        share = Decimal(85 + zlib.crc32(f"{item.key_project.code}{year}".encode()) % 20) / 100
        item.work_done = f"{year}年{project.get('work_done', _pick(domain['work_done'], year))}。{marker}"
        item.results = f"{project.get('results', _pick(domain['results'], year))}。"
        item.funds_budgeted = budget
        item.funds_spent = (budget * share).quantize(Decimal("0.01"))
    else:
        assert item.measure is not None
        domain = texts["domains"][item.measure.domain.code]
        seed = (item.measure.domain.code, item.measure.number, year, item.report.department.code)
        item.work_done = f"围绕“{item.measure.title}”，{_pick(domain['work_done'], *seed)}。{marker}"
        item.results = f"{_pick(domain['results'], *seed)}。"
    subject = item.key_project or item.measure
    assert subject is not None
    phrases = texts["domains"][subject.domain.code]
    choice = (item.measure_id, item.key_project_id, year)
    item.problems = f"{_pick(phrases['problems'], *choice)}。"
    item.next_year = f"{_pick(phrases['next_year'], *choice)}。"


def _moment(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@transaction.atomic
def load_demo_implementation_reports(plan: Plan) -> dict[str, int]:
    """The demo's implementation reports for `plan` (see the module's docstring)."""
    texts = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    current = texts["current"]
    office = User.objects.filter(role=Role.OFFICE, is_demo=True).order_by("pk").first()
    departments = reporting_departments(plan)
    made_reports = made_items = 0
    for reporting_round in ReportingRound.objects.filter(plan=plan, year__gte=plan.start_year).order_by("year"):
        if ImplementationReport.objects.filter(round=reporting_round).exists():
            continue
        year, deadline = reporting_round.year, reporting_round.deadline
        reports = []
        for department in departments:
            state = SubmissionState.ACCEPTED
            if reporting_round.is_open:
                state = next(
                    (
                        SubmissionState(s)
                        for s in ("submitted", "approved", "returned", "accepted")
                        if department.code in current[s]
                    ),
                    SubmissionState.DRAFT,
                )
            report = ImplementationReport(
                round=reporting_round, department=department, state=state, is_synthetic=True, version=2
            )
            sent = _moment(deadline - datetime.timedelta(days=10 + zlib.crc32(department.code.encode()) % 20), 10)
            if state != SubmissionState.DRAFT:
                report.submitted_at = sent
                report.summary = f"{year}年，{department.name}按照规划要求推进各项工作。{texts['marker']}"
            if state in (SubmissionState.APPROVED, SubmissionState.ACCEPTED):
                report.reviewed_at = sent + datetime.timedelta(days=2)
            if state == SubmissionState.ACCEPTED:
                report.accepted_at, report.accepted_by = sent + datetime.timedelta(days=5), office
            if state == SubmissionState.RETURNED:
                report.return_reason = current["returned"][department.code]
            report.updated_at = sent if state != SubmissionState.DRAFT else None
            reports.append(report)
        ImplementationReport.objects.bulk_create(reports)
        items: list[ReportItem] = []
        for report in reports:
            report.round = reporting_round
            fresh = new_items(report, plan)
            unfinished = current["unfinished"].get(report.department.code) if reporting_round.is_open else None
            for number, item in enumerate(fresh):
                if unfinished is not None:
                    if number < len(fresh) - unfinished:
                        _fill(item, year, texts)
                # a draft of the open round is written part-way: its key projects, not yet its measures
                elif report.state != SubmissionState.DRAFT or item.key_project is not None:
                    _fill(item, year, texts)
            items += fresh
        ReportItem.objects.bulk_create(items)
        made_reports += len(reports)
        made_items += len(items)
    return {"implementation_reports_created": made_reports, "implementation_items_created": made_items}
