"""Publishing an evaluation: one function, office only, atomic, audited."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.accounts.audit import record
from childfirst.accounts.models import Role, User
from childfirst.collection.completeness import outstanding
from childfirst.plans.access import acts_on_plan
from childfirst.plans.models import Goal, KeyProject, Measure, Plan

from . import engine
from .completeness_record import completeness_record
from .data import collect, evaluate_dataset
from .models import Assessment, Snapshot, SnapshotResult, SnapshotValue
from .snapshot_targets import evaluated_target


def _is_office(actor: User | None, plan: Plan) -> bool:
    """The office of the plan's own area (None: the console); never another district's office, nor a city's
    office on its districts' plans (it reads them) or a district's on the city's."""
    return actor is None or (actor.role == Role.OFFICE and acts_on_plan(actor, plan))


@transaction.atomic
def do_publish(actor: User | None, plan: Plan, year: int, note: str = "", *, reason: str = "") -> Snapshot:
    """Freeze the evaluation of `year` as it stands: figures, provenance, statuses, method version.
    Publishing the same year again makes the next version; earlier versions stay as they were.

    While the year's round is open or not all accepted, publishing needs a reason (ValidationError
    without one): it is kept on the snapshot and in the audit row with what was outstanding."""
    if not _is_office(actor, plan):
        raise PermissionDenied(_("Only the office publishes evaluations."))
    missing = outstanding(plan, year)
    reason = reason.strip() if missing else ""
    if missing and not reason:
        raise ValidationError(
            _("The %(year)d round is not complete: give the reason for publishing it now.") % {"year": year},
            code="reason_required",
        )
    data = collect(plan, year)
    rows = evaluate_dataset(data)
    latest = Snapshot.objects.filter(plan=plan, year=year).aggregate(v=Max("version"))["v"] or 0
    now = timezone.now()
    snapshot = Snapshot.objects.create(
        plan=plan,
        year=year,
        version=latest + 1,
        method_version=engine.METHOD_VERSION,
        published_at=now,
        published_by=actor,
        note=note.strip(),
        completeness=completeness_record(plan, year, now),
        incomplete_reason=reason,
    )
    SnapshotResult.objects.bulk_create(
        SnapshotResult(
            snapshot=snapshot, indicator=row.indicator, area=row.area, status=row.result.status,
            latest_year=row.result.latest_year, latest_value=row.result.latest_value,
            projected=row.result.projected, pace_ratio=row.result.pace_ratio, cagr_ratio=row.result.cagr_ratio,
            target_for_latest=row.result.target_for_latest,
            warnings=[{"code": w.code, "params": w.params} for w in row.result.warnings],
            **evaluated_target(row.indicator),
        )
        for row in rows
    )  # fmt: skip
    areas = {a.code: a for a in [plan.area, *data.streets]}
    indicators = {i.pk: i for i in data.indicators}
    SnapshotValue.objects.bulk_create(
        SnapshotValue(
            snapshot=snapshot, indicator=indicators[indicator_id], area=areas[area_code], year=value_year,
            value=point.value, numerator=point.numerator, denominator=point.denominator,
            derived=point.derived, source=point.source,
        )
        for (indicator_id, area_code), years in data.points.items()
        if area_code in areas
        for value_year, point in years.items()
        if value_year <= year
    )  # fmt: skip
    record(
        "evaluation.publish",
        actor=actor,
        obj=snapshot,
        area_code=plan.area.code,
        year=year,
        version=snapshot.version,
        method_version=snapshot.method_version,
        results=len(rows),
        outstanding=missing.summary() if missing else None,
        reason=reason,
    )
    return snapshot


ASSESSABLE = ("achieved", "on_track", "needs_acceleration", "at_risk", "not_achieved")


@transaction.atomic
def do_assess(
    actor: User | None,
    plan: Plan,
    *,
    year: int,
    status: str,
    evidence: str,
    assessed_on: datetime.date,
    goal: Goal | None = None,
    measure: Measure | None = None,
    key_project: KeyProject | None = None,
) -> Assessment:
    """Record the office's status for a qualitative goal, a measure or a key project's year
    (a new row; history kept)."""
    if not _is_office(actor, plan):
        raise PermissionDenied(_("Only the office assesses qualitative goals, measures and key projects."))
    if sum(item is not None for item in (goal, measure, key_project)) != 1:
        raise ValueError("assess exactly one goal, measure or key project")
    item = goal or measure or key_project
    assert item is not None  # exactly one of them is set (checked above)
    plan_id = item.plan_id if isinstance(item, KeyProject) else item.domain.plan_id
    if plan_id != plan.pk:
        raise ValueError("the assessed item belongs to another plan")
    if status not in ASSESSABLE:
        raise ValidationError(_("Choose a status."))
    if not evidence.strip():
        raise ValidationError(_("Give the evidence for the assessment."))
    assessment = Assessment.objects.create(
        plan=plan, goal=goal, measure=measure, key_project=key_project, year=year, status=status,
        evidence=evidence.strip(),
        assessed_on=assessed_on, set_by=actor, set_at=timezone.now(),
    )  # fmt: skip
    record(
        "evaluation.assess",
        actor=actor,
        obj=assessment,
        year=year,
        status=status,
        goal=goal.pk if goal else None,
        measure=measure.pk if measure else None,
        key_project=key_project.code if key_project else None,
    )
    return assessment
