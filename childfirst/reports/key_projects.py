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

from childfirst.evaluation.labels import STATUS_ORDER
from childfirst.evaluation.models import Assessment, Snapshot, SnapshotResult, SnapshotValue
from childfirst.plans.models import Indicator, KeyProject, Plan

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
        indicators = {m.indicator.pk: m.indicator for m in project.milestones.all() if m.indicator}
        indicators.update({i.pk: i for i in project.indicators.all()})
        linked[project.pk] = sorted(indicators.values(), key=lambda i: (i.domain_id, i.order, i.code))
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
        return LinkedIndicator(
            code=indicator.code,
            name=indicator.name,
            name_en=indicator.name_en,
            target_display=indicator.target_display,
            target_year=indicator.target_year,
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


# The demo's assessments of the key projects (synthetic, and worded so: "演示").
DEMO_ASSESSMENTS: dict[str, dict[int, tuple[str, str]]] = {
    "KP1": {
        2021: ("on_track", "（演示）全区部署婴幼儿照护服务工作，新建社区照护服务驿站 3 个，新增普惠托位 120 个。"),
        2022: ("on_track", "（演示）备案托育机构 18 家，开展从业人员培训 4 期、持证上岗核查 1 次。"),
        2023: ("on_track", "（演示）建成示范性照护服务机构 2 家，街镇社区照护服务机构覆盖率过半。"),
        2024: ("on_track", "（演示）千人口托位数 3.9 个，距 4.5‰ 目标尚差约 0.6 个，已列入年度民生实事。"),
    },
    "KP2": {
        2021: ("on_track", "（演示）制定示范型儿童之家建设标准，整合村社服务中心等阵地 30 处。"),
        2022: ("on_track", "（演示）新建基础型儿童之家 12 个、示范型 10 个，开展关爱活动 260 场。"),
        2023: ("on_track", "（演示）“1+N”联结模式在 6 个街镇推开，示范型儿童之家累计 39 个。"),
        2024: ("on_track", "（演示）基础型儿童之家实现全覆盖，示范型累计 47 个，距 50 个目标差 3 个。"),
    },
    "KP3": {
        2021: ("on_track", "（演示）落实十类康复服务项目清单，完成康复训练补助审核 210 人次。"),
        2022: ("on_track", "（演示）实施人工耳蜗植入 4 例、肢体矫治手术 6 例，发放困难生活补贴。"),
        2023: ("needs_acceleration", "（演示）部分街镇康复训练到位率下降，已安排社工上门协助困难家庭。"),
        2024: ("on_track", "（演示）有需求的残疾儿童基本康复服务覆盖率 99%，社工协助机制常态化。"),
    },
    "KP4": {
        2021: ("on_track", "（演示）区标准化心理辅导中心完成选址和设计，启动学生心理档案建设。"),
        2022: ("needs_acceleration", "（演示）心理辅导中心建设滞后于计划，专职心理教师增加 6 名。"),
        2023: ("on_track", "（演示）区心理辅导中心建成投用，培育心理危机干预网格员 12 名。"),
        2024: ("needs_acceleration", "（演示）专职心理健康教师较上年减少 1 名，未实现逐年递增，需加快招录。"),
    },
    "KP5": {
        2021: ("on_track", "（演示）组建家庭教育指导服务导师团 1 支、志愿者队伍 3 支。"),
        2022: ("on_track", "（演示）聚焦“双减”开设家长学校线上课堂，覆盖中小学 85% 以上。"),
        2023: ("on_track", "（演示）家庭教育指导服务站点覆盖全部街镇，开展讲座 140 场。"),
        2024: ("on_track", "（演示）数智家庭服务平台上线，家庭教育服务覆盖率 98%。"),
    },
}


def assess_demo_key_projects(plan: Plan) -> int:
    """The demo's yearly assessments of the key projects (once per project and year; a later run adds
    none). Call it before the demo publishes its evaluations, so the published ones include them."""
    from childfirst.evaluation.actions import do_assess

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
