"""Key projects: progress per project from a published snapshot (milestones, linked indicators per
year, the office's yearly assessment), assessments of key projects by the office only, the
one-item constraint, and the signed-in pages."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from childfirst.accounts.models import AuditEvent
from childfirst.demo.key_projects import DEMO_ASSESSMENTS, assess_demo_key_projects
from childfirst.evaluation.actions import do_assess, do_publish
from childfirst.evaluation.key_projects import key_project_progress
from childfirst.evaluation.models import Assessment, SnapshotResult, SnapshotValue
from childfirst.plans.models import Goal, KeyProject

DAY = datetime.date(2025, 1, 20)


@pytest.fixture
def assessed_and_published(demo, plan, users):
    """The demo's assessments of 2021–2024, then 2022 and 2024 published (2021 and 2023 not)."""
    assert assess_demo_key_projects(plan) == 20
    assert assess_demo_key_projects(plan) == 0  # once only
    do_publish(users.office, plan, 2022)
    return do_publish(users.office, plan, 2024)


def district(snapshot, code: str) -> SnapshotResult:
    return SnapshotResult.objects.get(snapshot=snapshot, indicator__code=code, area=snapshot.plan.area)


def test_progress_per_project(assessed_and_published, plan):
    snapshot = assessed_and_published
    progress = key_project_progress(plan, snapshot)
    assert [p.code for p in progress] == ["KP1", "KP2", "KP3", "KP4", "KP5"]
    kp1, kp2, kp3, kp4, _kp5 = progress
    assert kp1.name == "0-3岁婴幼儿照护服务项目" and kp1.departments == ["区卫健局"]
    assert sorted(kp2.departments) == sorted(["区民政局", "区妇联"])
    assert [m.indicator.code for m in kp1.milestones] == ["HEA-14", "HEA-13", "HEA-16"]
    for m in kp1.milestones + kp4.milestones:
        result = district(snapshot, m.indicator.code)
        assert (m.status, m.status_from) == (result.status, "indicator")
        assert m.indicator.latest_value == result.latest_value
    # Each year's figures are the snapshot's district values; statuses those published for that year.
    older = plan.snapshots.get(year=2022)
    for year in kp4.years:
        for cell in year.indicators:
            value = SnapshotValue.objects.filter(
                snapshot=snapshot, indicator__code=cell.code, area=plan.area, year=year.year
            ).first()
            assert cell.value == (value.value if value else None)
            published = {2022: older, 2024: snapshot}.get(year.year)
            assert cell.status == (district(published, cell.code).status if published else None)
        assert year.snapshot_version == (1 if year.year in (2022, 2024) else None)
    assert [y.year for y in kp4.years] == [2021, 2022, 2023, 2024]
    # The office's assessment per year, and the project's status for the snapshot's year.
    for p in progress:
        assert [(y.assessment.status, y.assessment.evidence) for y in p.years] == [
            DEMO_ASSESSMENTS[p.code][y] for y in (2021, 2022, 2023, 2024)
        ]
        assert p.status == DEMO_ASSESSMENTS[p.code][2024][0]
        done = sum(m.status == "achieved" for m in p.milestones)
        assert p.completion == round(100 * done / len(p.milestones), 1)
    # A milestone without an indicator takes the office's assessment of the project.
    assert kp3.milestones[0].indicator is None
    assert (kp3.milestones[0].status, kp3.milestones[0].status_from) == ("on_track", "assessment")


def test_snapshot_fixes_what_it_shows(assessed_and_published, plan, users):
    """An assessment recorded after publication stays out of that snapshot (documents, portal) and
    shows, marked, only when asked for live; the computed status falls back to the milestones."""
    snapshot = assessed_and_published
    kp4 = KeyProject.objects.get(plan=plan, code="KP4")
    do_assess(users.office, plan, year=2024, status="at_risk", evidence="复核：专职心理教师缺口扩大", assessed_on=DAY,
              key_project=kp4)  # fmt: skip
    frozen = next(p for p in key_project_progress(plan, snapshot) if p.code == "KP4")
    assert frozen.assessment.evidence == DEMO_ASSESSMENTS["KP4"][2024][1] and not frozen.assessment.after_publication
    live = next(p for p in key_project_progress(plan, snapshot, live_assessments=True) if p.code == "KP4")
    assert (live.status, live.assessment.evidence) == ("at_risk", "复核：专职心理教师缺口扩大")
    assert live.assessment.after_publication
    Assessment.objects.filter(key_project=kp4).delete()
    bare = next(p for p in key_project_progress(plan, snapshot) if p.code == "KP4")
    statuses = [m.status for m in bare.milestones]
    order = ["not_achieved", "at_risk", "needs_acceleration", "on_track", "achieved"]
    assert bare.assessment is None and bare.status == bare.computed_status == min(statuses, key=order.index)


def test_only_the_office_assesses_key_projects(client, users, plan):
    project = KeyProject.objects.get(plan=plan, code="KP2")
    item = f"key_project-{project.pk}"
    for role in ("reporter", "leader", "evaluator", "supervisor"):
        client.force_login(getattr(users, role))
        assert (
            client.post("/plans/lucheng-2021-2025/evaluation/assessments/?year=2024", {"item": item}).status_code == 403
        ), role
        with pytest.raises(PermissionDenied):
            do_assess(getattr(users, role), plan, year=2024, status="on_track", evidence="x", assessed_on=DAY,
                      key_project=project)  # fmt: skip
    assert not Assessment.objects.filter(key_project=project).exists()
    client.force_login(users.office)
    blank = {"item": item, "status": "on_track", "evidence": " ", "assessed_on": "2025-01-15"}
    refused = client.post("/plans/lucheng-2021-2025/evaluation/assessments/?year=2024", blank, follow=True)
    assert "依据" in refused.content.decode() and not Assessment.objects.filter(key_project=project).exists()
    given = {"item": item, "status": "on_track", "evidence": "示范型儿童之家新增 8 个", "assessed_on": "2025-01-15"}
    response = client.post("/plans/lucheng-2021-2025/evaluation/assessments/?year=2024", given)
    assert response.status_code == 302 and response.url.endswith(f"#{item}")
    saved = Assessment.objects.get(key_project=project)
    assert (saved.year, saved.status, saved.set_by, saved.goal, saved.measure) == (2024, "on_track", users.office,
                                                                                   None, None)  # fmt: skip
    event = AuditEvent.objects.get(action="evaluation.assess", actor=users.office)
    assert event.detail["key_project"] == "KP2"
    page = client.get("/plans/lucheng-2021-2025/evaluation/assessments/?year=2024").content.decode()
    assert 'id="key-projects"' in page and "示范型儿童之家新增 8 个" in page
    assert (
        client.get("/plans/lucheng-2021-2025/evaluation/assessments/?year=2023")
        .content.decode()
        .count("示范型儿童之家新增 8 个")
        == 0
    )
    # An unknown project, or one of no plan the office sees, is a 404, not a 500.
    assert (
        client.post(
            "/plans/lucheng-2021-2025/evaluation/assessments/?year=2024", {**given, "item": "key_project-999999"}
        ).status_code
        == 404
    )


def test_an_assessment_is_of_exactly_one_item(users, plan):
    project = KeyProject.objects.get(plan=plan, code="KP1")
    goal = Goal.objects.filter(domain__plan=plan).first()
    common = {"plan": plan, "year": 2024, "status": "on_track", "evidence": "x", "assessed_on": DAY,
              "set_at": timezone.now()}  # fmt: skip
    for items in ({"goal": goal, "key_project": project}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Assessment.objects.create(**common, **items)
    Assessment.objects.create(**common, key_project=project)
    with pytest.raises(ValueError, match="exactly one"):
        do_assess(users.office, plan, year=2024, status="on_track", evidence="x", assessed_on=DAY, goal=goal,
                  key_project=project)  # fmt: skip
    with pytest.raises(ValidationError):
        do_assess(users.office, plan, year=2024, status="bogus", evidence="x", assessed_on=DAY, key_project=project)


def test_key_project_pages_for_signed_in_users(client, users, plan, assessed_and_published):
    client.force_login(users.leader)
    page = client.get(f"/plans/{plan.code}/projects/").content.decode()
    for project in KeyProject.objects.filter(plan=plan):
        assert project.name.replace("“", "&ldquo;") in page or project.name in page
        assert f"/plans/{plan.code}/projects/{project.code}/?year=2024" in page
    assert DEMO_ASSESSMENTS["KP4"][2024][1] in page
    assert "/plans/lucheng-2021-2025/evaluation/assessments/" not in page  # the leader does not record assessments
    detail = client.get(f"/plans/{plan.code}/projects/KP4/").content.decode()
    assert "HEA-35" in detail and DEMO_ASSESSMENTS["KP4"][2023][1] in detail
    older = client.get(f"/plans/{plan.code}/projects/KP4/?year=2022").content.decode()
    assert DEMO_ASSESSMENTS["KP4"][2022][1] in older and DEMO_ASSESSMENTS["KP4"][2023][1] not in older
    client.force_login(users.office)
    assert (
        "/plans/lucheng-2021-2025/evaluation/assessments/?year=2024#key_project-"
        in client.get(f"/plans/{plan.code}/projects/").content.decode()
    )


def test_key_project_pages_before_any_publication(client, users, plan):
    client.force_login(users.office)
    page = client.get(f"/plans/{plan.code}/projects/").content.decode()
    assert page.count(f"/plans/{plan.code}/projects/KP") == 5
    assert client.get(f"/plans/{plan.code}/projects/KP3/").status_code == 200
