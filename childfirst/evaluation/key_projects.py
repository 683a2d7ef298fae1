"""Progress of the plan's key projects (重点实事项目) as a published evaluation shows it.

A key project's progress has two sources: the indicators linked to it (through its milestones or
through `Indicator.key_project`), read from published snapshots, and the office's own yearly
assessment with its evidence (`evaluation.Assessment` of the key project).

What a snapshot shows is fixed by the snapshot: figures come from the snapshot itself, the status
of an earlier year from that year's newest version published no later than this snapshot, and the
office's assessments are the ones recorded no later than its publication. Publishing a later
version, correcting data or recording a new assessment therefore never changes what an already
published snapshot (its documents, its portal pages) says. The signed-in key projects page asks for
the assessments as they stand now (`live_assessments=True`), so the office sees what it recorded.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import get_language

from childfirst.plans.models import Indicator, KeyProject, Plan
from childfirst.plans.targets import original_target

from .labels import STATUS_ORDER
from .models import Assessment, Snapshot, SnapshotResult, SnapshotValue
from .snapshot_targets import result_target

# A milestone counts as done when its indicator (or, lacking a figure, the office) says so.
DONE = "achieved"
# Statuses that say nothing about progress: the office's assessment stands in for them.
UNKNOWN = {"insufficient_data", "qualitative"}


def _bilingual(name: str, name_en: str) -> str:
    if (get_language() or "").startswith("en") and name_en:
        return name_en
    return name


@dataclass(frozen=True)
class LinkedIndicator:
    """An indicator linked to a key project, as the snapshot shows it for the district."""

    code: str
    name: str
    name_en: str
    target_display: str
    target_year: int
    unit_symbol: str
    status: str | None  # the district's status in the snapshot; None when the snapshot has no result
    latest_value: float | None
    latest_year: int | None

    @property
    def display_name(self) -> str:
        return _bilingual(self.name, self.name_en)


@dataclass(frozen=True)
class MilestoneProgress:
    year: int
    text: str
    indicator: LinkedIndicator | None
    status: str  # the indicator's status, else the office's assessment of the project, else insufficient_data
    status_from: str  # "indicator", "assessment" or "none": where `status` comes from

    @property
    def done(self) -> bool:
        return self.status == DONE


@dataclass(frozen=True)
class AssessmentView:
    """The office's assessment of the project in force for a year."""

    year: int
    status: str
    evidence: str
    assessed_on: datetime.date
    set_by: str  # the office account's name, or "system"
    after_publication: bool  # recorded after the snapshot was published (only with live assessments)


@dataclass(frozen=True)
class IndicatorYear:
    code: str
    value: float | None  # the district's value of that year in the snapshot
    status: str | None  # the district's status as published for that year (None: no evaluation of that year)


@dataclass(frozen=True)
class YearProgress:
    year: int
    indicators: list[IndicatorYear]
    assessment: AssessmentView | None
    snapshot_version: int | None  # the version of that year's evaluation the statuses come from


@dataclass(frozen=True)
class KeyProjectProgress:
    code: str
    pk: int
    number: int
    name: str
    name_en: str
    text: str
    domain: str  # the domain's Chinese name
    domain_en: str
    departments: list[str]  # responsible units, Chinese names, in catalogue order
    departments_en: list[str]
    milestones: list[MilestoneProgress]
    indicators: list[LinkedIndicator]
    years: list[YearProgress]  # plan.start_year … snapshot.year
    assessment: AssessmentView | None  # the office's assessment for the snapshot's year
    computed_status: str  # the worst known milestone status (insufficient_data when none is known)
    status: str  # the office's assessment for the snapshot's year when there is one, else computed_status
    completion: float | None = field(default=None)  # percent of milestones done; None without milestones

    @property
    def display_name(self) -> str:
        return _bilingual(self.name, self.name_en)

    @property
    def display_domain(self) -> str:
        return _bilingual(self.domain, self.domain_en)

    @property
    def display_departments(self) -> list[str]:
        return [_bilingual(zh, en) for zh, en in zip(self.departments, self.departments_en, strict=True)]

    @property
    def done_milestones(self) -> int:
        return sum(1 for m in self.milestones if m.done)


def published_for_years(snapshot: Snapshot) -> dict[int, Snapshot]:
    """Per evaluation year up to the snapshot's, the newest version published no later than it."""
    chosen: dict[int, Snapshot] = {}
    earlier = Snapshot.objects.filter(
        plan_id=snapshot.plan_id, year__lte=snapshot.year, published_at__lte=snapshot.published_at
    ).order_by("year", "version")
    for other in earlier:
        chosen[other.year] = other
    chosen[snapshot.year] = snapshot
    return chosen


def latest_assessments(
    plan: Plan, until: datetime.datetime | None, last_year: int
) -> dict[tuple[int, int], Assessment]:
    """(key project id, year) → the assessment in force: the newest recorded by `until` (None: ever)."""
    rows = Assessment.objects.filter(plan=plan, key_project__isnull=False, year__lte=last_year).select_related("set_by")
    if until is not None:
        rows = rows.filter(set_at__lte=until)
    latest: dict[tuple[int, int], Assessment] = {}
    for row in rows.order_by("set_at", "id"):
        assert row.key_project_id is not None  # key_project__isnull=False above
        latest[(row.key_project_id, row.year)] = row
    return latest


def _worst(statuses: list[str]) -> str:
    known = [s for s in statuses if s not in UNKNOWN and s in STATUS_ORDER]
    if not known:
        return "insufficient_data"
    return min(known, key=STATUS_ORDER.index)


def _view(assessment: Assessment | None, snapshot: Snapshot) -> AssessmentView | None:
    if assessment is None:
        return None
    return AssessmentView(
        year=assessment.year,
        status=assessment.status,
        evidence=assessment.evidence,
        assessed_on=assessment.assessed_on,
        set_by=assessment.set_by.get_username() if assessment.set_by else "system",
        after_publication=assessment.set_at > snapshot.published_at,
    )


def key_project_progress(plan: Plan, snapshot: Snapshot, *, live_assessments: bool = False) -> list[KeyProjectProgress]:
    """Every active key project of the plan with its milestones, linked indicators and yearly progress
    as `snapshot` shows them, in plan order. The office's assessments are those recorded by the
    snapshot's publication, or every one recorded so far with `live_assessments`."""
    until = None if live_assessments else snapshot.published_at
    projects = list(
        KeyProject.objects.filter(plan=plan, retired_at__isnull=True)
        .select_related("domain")
        .prefetch_related(
            "departments",
            Prefetch("milestones__indicator"),
            Prefetch("indicators", queryset=Indicator.objects.active().order_by("domain__number", "order")),
        )
        .order_by("number")
    )
    linked: dict[int, list[Indicator]] = {}
    for project in projects:
        by_pk = {m.indicator.pk: m.indicator for m in project.milestones.all() if m.indicator}
        by_pk.update({i.pk: i for i in project.indicators.all()})
        linked[project.pk] = sorted(by_pk.values(), key=lambda i: (i.domain_id, i.order, i.code))
    indicator_ids = {i.pk for group in linked.values() for i in group}

    by_year = published_for_years(snapshot)
    results: dict[tuple[int, int], SnapshotResult] = {}  # (snapshot id, indicator id) → district result
    for result in SnapshotResult.objects.filter(
        snapshot__in=by_year.values(), area_id=plan.area_id, indicator_id__in=indicator_ids
    ):
        results[(result.snapshot_id, result.indicator_id)] = result
    values: dict[tuple[int, int], float | None] = {}  # (indicator id, year) → district value
    for indicator_id, year, value in SnapshotValue.objects.filter(
        snapshot=snapshot, area_id=plan.area_id, indicator_id__in=indicator_ids
    ).values_list("indicator_id", "year", "value"):
        values[(indicator_id, year)] = value
    assessments = latest_assessments(plan, until, snapshot.year)

    def linked_view(indicator: Indicator) -> LinkedIndicator:
        result = results.get((snapshot.pk, indicator.pk))
        # The target the snapshot's year was evaluated against (a revision may have come since).
        target = (result_target(result) if result else None) or original_target(indicator)
        return LinkedIndicator(
            code=indicator.code,
            name=indicator.name,
            name_en=indicator.name_en,
            target_display=target.display(indicator),
            target_year=target.target_year,
            unit_symbol=indicator.unit_symbol,
            status=result.status if result else None,
            latest_value=result.latest_value if result else None,
            latest_year=result.latest_year if result else None,
        )

    progress = []
    for project in projects:
        indicators = [linked_view(i) for i in linked[project.pk]]
        by_code = {i.code: i for i in indicators}
        current = assessments.get((project.pk, snapshot.year))
        milestones = []
        for milestone in project.milestones.all():
            shown = by_code.get(milestone.indicator.code) if milestone.indicator else None
            if shown is not None and shown.status and shown.status not in UNKNOWN:
                status, source = shown.status, "indicator"
            elif current is not None:
                status, source = current.status, "assessment"
            else:
                status, source = "insufficient_data", "none"
            milestones.append(MilestoneProgress(milestone.year, milestone.text, shown, status, source))
        years = []
        for year in range(plan.start_year, snapshot.year + 1):
            published = by_year.get(year)
            years.append(
                YearProgress(
                    year=year,
                    indicators=[
                        IndicatorYear(
                            code=i.code,
                            value=values.get((i.pk, year)),
                            status=getattr(results.get((published.pk, i.pk)) if published else None, "status", None),
                        )
                        for i in linked[project.pk]
                    ],
                    assessment=_view(assessments.get((project.pk, year)), snapshot),
                    snapshot_version=published.version if published else None,
                )
            )
        computed = _worst([m.status for m in milestones] or [i.status or "insufficient_data" for i in indicators])
        done = sum(1 for m in milestones if m.done)
        departments = list(project.departments.all())
        progress.append(
            KeyProjectProgress(
                code=project.code,
                pk=project.pk,
                number=project.number,
                name=project.name,
                name_en=project.name_en,
                text=project.text,
                domain=project.domain.name,
                domain_en=project.domain.name_en,
                departments=[d.name for d in departments],
                departments_en=[d.name_en for d in departments],
                milestones=milestones,
                indicators=indicators,
                years=years,
                assessment=_view(current, snapshot),
                computed_status=computed,
                status=current.status if current else computed,
                completion=round(100 * done / len(milestones), 1) if milestones else None,
            )
        )
    return progress
