"""Synthetic casework for the demonstration, in the street that has demo accounts (五马街道): two
years of visits (some overdue), risk assessments (mostly low, some medium, a few high with their
tasks), one-to-one assistance, referrals and mandatory reports (one escalated, one awaiting triage
within its deadline, some closed).

Visits in 五马第一社区 are by its demo director; the street's other communities have no director
(shown as 未配备), so their visits are by the demo supervisor, less regular — as the dashboard then
shows. Other streets have no demo accounts and so no casework. History is bulk-inserted with one
audit row for the load; the last steps (the escalation) go through the ordinary actions. Idempotent.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from childfirst.accounts.audit import record
from childfirst.accounts.models import Role, User
from childfirst.areas.models import Area
from childfirst.plans.models import Department
from childfirst.registry.casework.risk import current_checklist
from childfirst.registry.casework.visits import current_policy
from childfirst.registry.children import crypto
from childfirst.registry.mandatory import intake as mandatory
from childfirst.registry.mandatory.actions import escalate_overdue_reports
from childfirst.registry.models import (
    AssessmentState,
    Assistance,
    AssistanceFollowUp,
    AssistanceState,
    Child,
    ChildCategory,
    MandatoryReport,
    Referral,
    ReferralState,
    ReferralUpdate,
    ReportState,
    ReportStep,
    RiskAssessment,
    Task,
    TaskKind,
    TaskState,
    Visit,
)

STREET = "330302001"
DIRECTOR_COMMUNITY = "330302001001"
HISTORY_DAYS = 730
MAX_VISITS = 12
FINDINGS = {
    "left_behind": ("祖父母照料，生活规律，父母每周视频通话。", "由祖母接送上学，作业需要辅导。"),
    "orphan": ("随祖母生活，孤儿基本生活费按时发放。", "与叔叔一家同住，情绪稳定。"),
    "de_facto_unsupported": ("父亲服刑，母亲失联，由姑姑照料。", "事实无人抚养儿童保障金已落实。"),
    "distress": ("家庭收入低，已申请临时救助。", "康复训练按时进行，家长配合。"),
    "": ("家中整洁，监护人在家，儿童精神状态良好。", "学习正常，与同学相处融洽。", "电话回访，情况稳定。"),
}
NEEDS = ("课业辅导", "心理疏导", "医疗救助政策咨询", "", "", "")
NEXT_STEPS = ("下次走访关注学业情况", "联系学校了解在校表现", "协助申请困难补助", "", "")


def _staff() -> tuple[User | None, User | None]:
    director = User.objects.filter(role=Role.COMMUNITY_DIRECTOR, area__code=DIRECTOR_COMMUNITY, is_demo=True).first()
    supervisor = User.objects.filter(role=Role.STREET_SUPERVISOR, area__code=STREET, is_demo=True).first()
    return director, supervisor


def _ticks_for(level: str, rng: random.Random) -> list[str]:
    """Checklist items that score to `level` under the current checklist."""
    checklist = current_checklist()
    ordinary = [i for i in checklist.items if not i.critical]
    for _attempt in range(200):
        if level == "high" and rng.random() < 0.5:
            ticked = [rng.choice([i for i in checklist.items if i.critical]).code]
        else:
            ticked = [i.code for i in rng.sample(ordinary, rng.randint(0 if level == "low" else 1, 4))]
        if checklist.score(ticked).level == level:
            return ticked
    return []


@transaction.atomic
def load_demo_casework(today: datetime.date | None = None, seed: int = 2025) -> dict[str, int]:
    """Casework for the synthetic children of 五马街道; nothing when it is there already or when the
    demo children or accounts are missing."""
    director, supervisor = _staff()
    children = list(
        Child.objects.filter(is_synthetic=True, residence_area__code__startswith=STREET)
        .active()
        .select_related("residence_area")
        .order_by("pk")
    )
    if director is None or supervisor is None or not children:
        return {"visits_created": 0}
    if Visit.objects.filter(child__in=children).exists():
        return {"visits_created": 0}
    today = today or timezone.localdate()
    now = timezone.now()
    rng = random.Random(seed)  # noqa: S311 — made-up data, reproducible by design
    policy, checklist = current_policy(), current_checklist()
    codes: dict[int, list[str]] = {}
    for link in ChildCategory.objects.current(today).filter(child__in=children).select_related("type__parent"):
        codes.setdefault(link.child_id, []).append(link.type.parent.code if link.type.parent else link.type.code)

    def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, rng.randrange(60))))

    # Risk first: it sets how often the child is visited.
    risk: dict[int, str] = {}
    assessments: list[RiskAssessment] = []
    own = [c for c in children if c.residence_area.code == DIRECTOR_COMMUNITY]
    followed = [c for c in own if codes.get(c.pk)]
    high_picks = {c.pk for c in rng.sample(followed, min(4, len(followed)))}
    for child in followed:
        level = "high" if child.pk in high_picks else ("medium" if rng.random() < 0.15 else "low")
        ticked = _ticks_for(level, rng)
        result = checklist.score(ticked)
        pending = level != "high" and rng.random() < 0.03
        if level == "high":
            # The first high one is fresh, so its task is open; the others were dealt with.
            age_days = 1 if "high" not in risk.values() else rng.randrange(12, 60)
        else:
            age_days = rng.randrange(1, 8) if pending else rng.randrange(10, 300)
        assessed_on = today - datetime.timedelta(days=age_days)
        assessments.append(
            RiskAssessment(
                child=child,
                assessed_on=assessed_on,
                checklist_version=checklist.version,
                ticked=result.ticked,
                score=result.score,
                computed_level=result.computed,
                level=result.level,
                notes="演示：合成记录",
                assessed_by=director,
                recorded_at=at(assessed_on, 16),
                state=AssessmentState.SUBMITTED if pending else AssessmentState.APPROVED,
                reviewed_by=None if pending else supervisor,
                reviewed_at=None if pending else at(min(assessed_on + datetime.timedelta(days=2), today), 9),
                review_note="" if pending else "同意",
            )
        )
        risk[child.pk] = result.level
    RiskAssessment.objects.bulk_create(assessments)

    tasks: list[Task] = []
    for assessment in (a for a in assessments if a.level == "high"):
        recent = (today - assessment.assessed_on).days < 10
        due = assessment.assessed_on + datetime.timedelta(days=policy.tasks.high_risk_days)
        tasks.append(
            Task(
                kind=TaskKind.HIGH_RISK,
                street=supervisor.area,
                child=assessment.child,
                assessment=assessment,
                due_on=due,
                created_at=assessment.recorded_at,
                state=TaskState.OPEN if recent else TaskState.CLOSED,
                closed_by=None if recent else supervisor,
                closed_at=None if recent else at(due, 17),
                close_note="" if recent else "已入户核实，联系派出所和学校，安排每周走访。",
            )
        )
    Task.objects.bulk_create(tasks)

    visits: list[Visit] = []
    for child in children:
        has_director = child.residence_area.code == DIRECTOR_COMMUNITY
        interval = policy.interval(codes.get(child.pk, []), risk.get(child.pk)).days
        late_share = 0.1 if has_director else 0.2
        if rng.random() < late_share:
            last = today - datetime.timedelta(days=interval + rng.randrange(1, 60))
        else:
            last = today - datetime.timedelta(days=rng.randrange(0, max(interval - 1, 1)))
        day, count = last, 0
        while day > max(child.birth_date, today - datetime.timedelta(days=HISTORY_DAYS)) and count < MAX_VISITS:
            kind = rng.choices(["home", "phone", "school"], weights=[7, 2, 1])[0]
            key = next((c for c in codes.get(child.pk, []) if c in FINDINGS), "")
            visits.append(
                Visit(
                    child=child,
                    visited_on=day,
                    kind=kind,
                    findings=rng.choice(FINDINGS[key]),
                    needs=rng.choice(NEEDS),
                    next_steps=rng.choice(NEXT_STEPS),
                    visitor=director if has_director and rng.random() < 0.9 else supervisor,
                    recorded_at=at(day, 17),
                )
            )
            count += 1
            day -= datetime.timedelta(days=max(7, int(interval * rng.uniform(0.7, 1.1 if has_director else 1.3))))
    Visit.objects.bulk_create(visits, batch_size=2000)

    plans = _assistance(rng, own, director, today, at)
    referrals = _referrals(rng, children, director, supervisor, today, at)
    reports = _reports(rng, children, supervisor, now, at)
    escalated = escalate_overdue_reports(now)
    record(
        "registry.demo_casework_loaded",
        visits=len(visits),
        assessments=len(assessments),
        tasks=len(tasks),
        assistance=plans,
        referrals=referrals,
        reports=reports,
    )
    return {
        "visits_created": len(visits),
        "assessments_created": len(assessments),
        "tasks_created": len(tasks) + escalated,
        "assistance_created": plans,
        "referrals_created": referrals,
        "reports_created": reports,
    }


def _assistance(rng: random.Random, own: list[Child], director: User, today: datetime.date, at) -> int:
    helpers = (("陈老师", "鹿城区演示第一小学"), ("林社工", "演示阳光社工服务中心"), ("周志愿者", "演示青年志愿者协会"))
    count = 0
    for child in rng.sample(own, min(8, len(own))):
        start = today - datetime.timedelta(days=rng.randrange(40, 500))
        name, organisation = rng.choice(helpers)
        closed = rng.random() < 0.25
        plan = Assistance.objects.create(
            child=child,
            helper_name=name,
            helper_organisation=organisation,
            helper_contact=f"1000000{rng.randrange(10000):04d}",
            plan="每两周上门一次：课业辅导、心理陪伴，并协助家庭申请相关救助。",
            start_date=start,
            created_by=director,
            created_at=at(start),
            state=AssistanceState.CLOSED if closed else AssistanceState.OPEN,
            closed_on=today - datetime.timedelta(days=10) if closed else None,
            closed_by=director if closed else None,
            close_note="儿童情况稳定，结束帮扶，转为常规走访。" if closed else "",
        )
        day = start + datetime.timedelta(days=14)
        follow_ups = []
        while day < today - datetime.timedelta(days=10):
            follow_ups.append(
                AssistanceFollowUp(
                    assistance=plan,
                    date=day,
                    note="辅导作业，交流近况。",
                    recorded_by=director,
                    recorded_at=at(day, 18),
                )
            )
            day += datetime.timedelta(days=rng.randrange(14, 45))
        AssistanceFollowUp.objects.bulk_create(follow_ups)
        count += 1
    return count


def _referrals(rng: random.Random, children: list[Child], director: User, supervisor: User, today, at) -> int:
    departments = {d.code: d for d in Department.objects.filter(area__code=STREET[:6])}
    reasons = {
        "health": "儿童需要康复评估和医疗救助政策衔接。",
        "education": "儿童长期旷课，请学校和教育局协助劝返复学。",
        "civil-affairs": "家庭困难，申请纳入困境儿童基本生活保障。",
        "disabled-federation": "申请残疾儿童康复救助。",
    }
    count = 0
    for index, child in enumerate(rng.sample(children, min(8, len(children)))):
        code = list(reasons)[index % len(reasons)]
        if code not in departments:
            continue
        opened = today - datetime.timedelta(days=rng.randrange(5, 120))
        closed = index % 3 == 2
        keeper = director if child.residence_area.code == DIRECTOR_COMMUNITY else supervisor
        referral = Referral.objects.create(
            child=child,
            department=departments[code],
            reason=reasons[code],
            opened_by=keeper,
            opened_at=at(opened),
            state=ReferralState.CLOSED if closed else ReferralState.OPEN,
            closed_by=keeper if closed else None,
            closed_at=at(today - datetime.timedelta(days=2)) if closed else None,
            outcome="已办结：相关保障已落实。" if closed else "",
        )
        ReferralUpdate.objects.create(
            referral=referral,
            date=min(opened + datetime.timedelta(days=3), today),
            note="已受理，正在核实情况。",
            recorded_by=keeper,
            recorded_at=at(min(opened + datetime.timedelta(days=3), today)),
        )
        count += 1
    return count


def _reports(rng: random.Random, children: list[Child], supervisor: User, now: datetime.datetime, at) -> int:
    """One escalated (urgent, untriaged past its deadline), one awaiting triage within its deadline,
    three closed and linked to files."""
    communities = {c.code: c for c in Area.objects.filter(code__startswith=STREET, level="community")}
    specs = [
        # (hours ago, urgency, concerns, state, community)
        (30, "urgent", ["violence"], ReportState.AWAITING, "330302001002"),
        (5, "normal", ["neglect"], ReportState.AWAITING, DIRECTOR_COMMUNITY),
        (24 * 40, "urgent", ["violence", "neglect"], ReportState.CLOSED, DIRECTOR_COMMUNITY),
        (24 * 90, "normal", ["abandonment"], ReportState.CLOSED, "330302001003"),
        (24 * 200, "normal", ["other"], ReportState.CLOSED, DIRECTOR_COMMUNITY),
    ]
    descriptions = {
        "violence": "学生手臂有多处淤青，称被家长用衣架打。",
        "neglect": "儿童连续多日无人接送，午饭自带饼干，衣着单薄。",
        "abandonment": "邻居反映儿童独自在家已三天，家长外出未归。",
        "other": "儿童深夜在网吧逗留，称不愿回家。",
    }
    policy = current_policy()
    count = 0
    for hours, urgency, concerns, state, community_code in specs:
        received = now - datetime.timedelta(hours=hours)
        community = communities[community_code]
        candidates = [c for c in children if c.residence_area_id == community.pk]
        child = rng.choice(candidates) if candidates and state == ReportState.CLOSED else None
        number = None
        fields = {}
        if child is not None and child.id_ciphertext:
            number = crypto.decrypt(child.id_nonce, child.id_ciphertext)
            fields = mandatory.report_id_fields(number)
        report = MandatoryReport.objects.create(
            receipt_number=mandatory.new_receipt_number(received),
            received_at=received,
            channel="public",
            reporter_institution="鹿城区演示第一小学" if "violence" in concerns else "演示社区卫生服务站",
            reporter_kind="school" if "violence" in concerns else "hospital",
            reporter_name="演示·林老师" if "violence" in concerns else "演示·郑医生",
            reporter_phone=f"1000000{rng.randrange(10000):04d}",
            child_name=child.name if child else ("演示·小宇" if urgency == "urgent" else "演示·小雨"),
            child_age=child.age if child else rng.randrange(6, 12),
            child_sex=child.sex if child else "unknown",
            community=community,
            street=mandatory.street_of(community),
            concerns=concerns,
            description=descriptions[concerns[0]],
            urgency=urgency,
            triage_due_at=received + datetime.timedelta(hours=policy.triage_hours(urgency == "urgent")),
            state=state,
            child=child,
            **fields,
        )
        if state == ReportState.CLOSED:
            triaged = received + datetime.timedelta(hours=rng.randrange(2, 20))
            ReportStep.objects.create(
                report=report,
                actions=["police_informed", "visited"] if "violence" in concerns else ["visit_arranged", "visited"],
                note="当日入户核实，儿童安全，已告知监护人监护职责。",
                recorded_by=supervisor,
                recorded_at=triaged,
            )
            MandatoryReport.objects.filter(pk=report.pk).update(
                triaged_by=supervisor,
                triaged_at=triaged,
                closed_by=supervisor,
                closed_at=triaged + datetime.timedelta(days=3),
                outcome="已核实处置，纳入重点走访；监护人接受家庭教育指导。",
            )
        count += 1
    return count
