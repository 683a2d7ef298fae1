"""Casework: visit policy and next-due dates, overdue work lists, risk scoring and its thresholds,
high risk raising a task, approval by the street supervisor only, one-to-one assistance, and
referrals as the departments see them."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext

from childfirst.accounts.models import AuditEvent, Role
from childfirst.areas.models import Area
from childfirst.datafile import DataFile, DataFileInvalid
from childfirst.plans.models import Department
from childfirst.registry.casework import actions
from childfirst.registry.casework.caseload import attach_children, case_rows, due_for, load_by_community, risk_status
from childfirst.registry.casework.risk import CHECKLIST_FILE, load_checklist
from childfirst.registry.casework.visits import POLICY_FILE, current_policy, load_policy, next_due
from childfirst.registry.children.actions import ChildData, do_create_child
from childfirst.registry.models import (
    AccessAction,
    AssessmentState,
    CategoryType,
    Child,
    ChildAccessLog,
    Referral,
    Task,
    TaskKind,
    Visit,
)
from childfirst.registry.referrals import actions as referral_actions

from ..conftest import make_user

TODAY = datetime.date(2025, 6, 1)
WUMA_1, WUMA_2 = "330302001001", "330302001002"


def make_child(actor, community: str = WUMA_1, name: str = "王小明", categories=(), **extra) -> Child:
    data = ChildData(
        name=name,
        sex=extra.pop("sex", "male"),
        birth_date=extra.pop("birth_date", datetime.date(2015, 3, 1)),
        residence_area=Area.objects.get(code=community),
        categories=[(CategoryType.objects.get(code=code), datetime.date(2024, 1, 1), "") for code in categories],
        **extra,
    )
    return do_create_child(actor, data)


def backdate(child: Child, days: int) -> Child:
    """A file opened `days` ago (so that its first visit is overdue)."""
    Child.objects.filter(pk=child.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))
    child.refresh_from_db()
    return child


def visit(actor, child, days_ago: int) -> Visit:
    return actions.do_record_visit(
        actor,
        child,
        visited_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        kind="home",
        findings="家中整洁，祖母照料",
    )


def items_worth(checklist, total: int) -> list[str]:
    """Non-critical items whose weights add up to exactly `total` (greedy on the shipped weights)."""
    chosen, left = [], total
    for item in sorted((i for i in checklist.items if not i.critical), key=lambda i: -i.weight):
        if item.weight <= left:
            chosen.append(item.code)
            left -= item.weight
    assert left == 0, f"the checklist cannot make {total} from non-critical items"
    return chosen


# ----- the policy (pure) ------------------------------------------------------------------------


class TestVisitPolicy:
    def test_the_shipped_policy_names_only_real_categories(self):
        categories = DataFile.read(POLICY_FILE.parent / "categories.yaml").data["categories"]
        codes = {c["code"] for c in categories} | {s["code"] for c in categories for s in c.get("subtypes", [])}
        policy = load_policy()
        assert set(policy.by_category) <= codes
        assert set(policy.by_risk_level) <= {"low", "medium", "high"}

    def test_the_strictest_interval_applies(self):
        policy = current_policy()
        by_cat, by_risk = policy.by_category, policy.by_risk_level
        assert policy.interval([], None).days == policy.default_days
        assert policy.interval(["left_behind"], None).days == min(policy.default_days, by_cat["left_behind"])
        both = policy.interval(["left_behind", "orphan"], None)
        assert both.days == min(by_cat["left_behind"], by_cat["orphan"]) and both.code == "orphan"
        high = policy.interval(["orphan"], "high")
        assert (high.days, high.source) == (by_risk["high"], "risk")
        assert policy.interval(["left_behind"], "low").days == by_cat["left_behind"]  # low adds nothing

    def test_a_subcategory_takes_its_parents_interval(self):
        policy = current_policy()
        parents = {"distress_poverty": "distress", "distress": None}
        interval = policy.interval(["distress_poverty"], None, parents)
        assert (interval.days, interval.code) == (policy.by_category["distress"], "distress")

    def test_next_due_after_the_last_visit_or_the_opening(self):
        policy = current_policy()
        days = policy.by_category["left_behind"]
        due = next_due(
            policy,
            last_visit=TODAY - datetime.timedelta(days=days + 3),
            opened_on=datetime.date(2020, 1, 1),
            categories=["left_behind"],
            risk_level=None,
            today=TODAY,
        )
        assert due.date == TODAY - datetime.timedelta(days=3)
        assert due.is_overdue and due.days_overdue == 3
        first = next_due(policy, last_visit=None, opened_on=TODAY, categories=[], risk_level=None, today=TODAY)
        assert first.date == TODAY + datetime.timedelta(days=policy.first_visit_days)
        assert not first.is_overdue and first.days_left == policy.first_visit_days

    def test_a_wrong_policy_file_is_refused_with_its_place(self, tmp_path: Path):
        text = POLICY_FILE.read_text(encoding="utf-8").replace("default_days: 180", "default_days: many")
        wrong = tmp_path / "policy.yaml"
        wrong.write_text(text, encoding="utf-8")
        with pytest.raises(DataFileInvalid) as failure:
            load_policy(wrong)
        problem = failure.value.problems[0]
        assert problem.path == ("default_days",)
        assert problem.line == next(n for n, line in enumerate(text.splitlines(), 1) if "default_days" in line)


class TestRiskChecklist:
    def test_thresholds_of_the_shipped_checklist(self):
        checklist = load_checklist()
        medium, high = checklist.thresholds.medium, checklist.thresholds.high
        assert checklist.score([]).level == "low"
        assert checklist.score(items_worth(checklist, medium - 1)).level == "low"
        result = checklist.score(items_worth(checklist, medium))
        assert (result.score, result.level) == (medium, "medium")
        assert checklist.score(items_worth(checklist, high - 1)).level == "medium"
        result = checklist.score(items_worth(checklist, high))
        assert (result.score, result.level) == (high, "high")

    def test_a_critical_item_is_high_by_itself(self):
        checklist = load_checklist()
        for item in (i for i in checklist.items if i.critical):
            result = checklist.score([item.code])
            assert result.level == "high" and result.critical == [item.code]

    def test_the_level_can_be_raised_never_lowered(self):
        checklist = load_checklist()
        medium = items_worth(checklist, checklist.thresholds.medium)
        raised = checklist.score([], raised_to="high")
        assert (raised.computed, raised.level, raised.was_raised) == ("low", "high", True)
        kept = checklist.score(medium, raised_to="low")
        assert (kept.level, kept.was_raised) == ("medium", False)

    def test_unknown_items_are_an_error(self):
        with pytest.raises(ValueError, match="no_such_item"):
            load_checklist().score(["no_such_item"])

    def test_thresholds_must_rise(self, tmp_path: Path):
        text = CHECKLIST_FILE.read_text(encoding="utf-8").replace("high: 8", "high: 2")
        wrong = tmp_path / "checklist.yaml"
        wrong.write_text(text, encoding="utf-8")
        with pytest.raises(DataFileInvalid, match=r"thresholds\.high"):
            load_checklist(wrong)


# ----- visits and the work lists ----------------------------------------------------------------


@pytest.mark.django_db
class TestVisits:
    def test_director_and_supervisor_record_visits_others_cannot(self, users):
        child = make_child(users.director)
        visit(users.director, child, 3)
        visit(users.supervisor, child, 1)
        assert child.visits.count() == 2
        for outsider in (users.other_director, users.other_supervisor, users.office, users.reporter):
            with pytest.raises(PermissionDenied):
                visit(outsider, child, 0)

    def test_a_visit_in_the_future_changes_nothing(self, users):
        child = make_child(users.director)
        with pytest.raises(actions.CaseworkError):
            visit(users.director, child, -2)
        with pytest.raises(actions.CaseworkError):
            actions.do_record_visit(users.director, child, visited_on=timezone.localdate(), kind="home", findings="  ")
        assert not child.visits.exists()

    def test_a_visit_moves_the_next_due_date(self, users):
        child = backdate(make_child(users.director, categories=["left_behind"]), 400)
        assert due_for(child).is_overdue  # never visited, opened long ago
        visit(users.director, child, 10)
        due = due_for(child)
        assert due.date == timezone.localdate() + datetime.timedelta(
            days=current_policy().by_category["left_behind"] - 10
        )
        assert not due.is_overdue

    def test_overdue_first_and_only_the_keepers_children(self, users):
        overdue = backdate(make_child(users.director, name="李四", categories=["orphan"]), 300)
        visit(users.director, overdue, current_policy().by_category["orphan"] + 5)
        fresh = make_child(users.director, name="张三")
        visit(users.director, fresh, 1)
        elsewhere = backdate(make_child(users.other_director, community=WUMA_2, name="赵五"), 300)

        rows = case_rows(Child.objects.visible_to(users.director))
        assert [r.child for r in rows] == [overdue, fresh]
        assert rows[0].due.is_overdue and rows[0].due.days_overdue == 5
        loads = {
            load.community.code: load
            for load in load_by_community(case_rows(Child.objects.visible_to(users.supervisor)), users.supervisor.area)
        }
        assert (loads[WUMA_1].children, loads[WUMA_1].overdue) == (2, 1)
        assert (loads[WUMA_2].children, loads[WUMA_2].overdue) == (1, 1)
        assert loads[WUMA_1].assignment.directors == ["director"]
        assert loads["330302001003"].children == 0 and loads["330302001003"].assignment.directors == []
        assert elsewhere not in [r.child for r in rows]

    def test_rows_read_their_children_only_when_drawn(self, users):
        """The list orders every child but reads Child objects for the rows drawn (one query), and
        a row whose file changed between the two reads is still drawn, never an error."""
        first = make_child(users.director, name="李四")
        second = make_child(users.director, name="张三")
        rows = case_rows(Child.objects.visible_to(users.director))
        with CaptureQueriesContext(connection) as captured:
            attach_children(rows[:1])
            assert rows[0].child.pk == rows[0].child_id
        assert len(captured) == 1
        Child.objects.filter(pk=rows[1].child_id).update(status="exited", exit_date=timezone.localdate())  # meanwhile
        assert {rows[1].child.pk} == {first.pk, second.pk} - {rows[0].child_id}

    def test_work_list_page(self, client, users):
        late = backdate(make_child(users.director, name="李四", categories=["orphan"]), 300)
        make_child(users.director, name="张三")
        client.force_login(users.director)
        response = client.get("/registry/work/")
        page = response.content.decode()
        assert response.status_code == 200
        assert page.index("李四") < page.index("张三")
        assert 'class="overdue"' in page
        assert ChildAccessLog.objects.filter(user=users.director, action=AccessAction.SEARCH, result_count=2).exists()
        only_late = client.get("/registry/work/?overdue=1").content.decode()
        assert "李四" in only_late and "张三" not in only_late
        found = client.post("/registry/work/", {"q": "lisi"}).content.decode()
        assert "李四" in found and "张三" not in found
        assert late.pk

    def test_the_work_list_search_is_posted_never_in_a_url(self, client, users):
        """Issue 11, finding 8: /registry/work/?q=… put names and full ID numbers in the URL."""
        make_child(users.director, name="李四")
        make_child(users.director, name="张三")
        client.force_login(users.director)
        page = client.get("/registry/work/").content.decode()
        assert 'method="post"' in page and 'id="work-search"' in page and 'method="get"' not in page
        # A name in a URL is not searched by (nobody learns to put it there).
        assert "张三" in client.get("/registry/work/?q=lisi").content.decode()
        posted = client.post("/registry/work/", {"q": "李四", "page": "1"}).content.decode()
        assert "李四" in posted and "张三" not in posted

    def test_list_pages_take_the_same_queries_for_more_children(self, client, users):
        """No query per child: the work list and the dashboard cost the same for 2 children as for 6."""
        client.force_login(users.supervisor)

        def queries(path: str) -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(path).status_code == 200
            return len(captured)

        for n in range(2):
            child = make_child(users.director, name=f"甲{n}", categories=["left_behind"])
            visit(users.director, child, 3)
            assess(users.director, child, [])
        paths = ("/registry/work/", "/registry/supervision/")
        for path in paths:  # the header's counts and plans are cached a minute after the first page
            queries(path)
        before = {path: queries(path) for path in paths}
        for n in range(4):
            child = make_child(users.director, name=f"乙{n}", categories=["orphan"])
            visit(users.supervisor, child, 40)
            assess(users.director, child, [], raised_to="high", raise_reason="复核")
        for path in paths:  # a high risk rating notified the supervisor: the unread count is read again once
            queries(path)
        assert {path: queries(path) for path in before} == before

    def test_supervisor_dashboard_counts_by_community(self, client, users, django_assert_max_num_queries):
        for n in range(3):
            backdate(make_child(users.director, name=f"儿童{n}"), 300)
        client.force_login(users.supervisor)
        with django_assert_max_num_queries(40):
            response = client.get("/registry/supervision/")
        page = response.content.decode()
        assert response.status_code == 200
        assert gettext("not assigned") in page  # 五马第三社区 has no director
        assert f'?community={WUMA_1}&amp;overdue=1">3<' in page

    def test_visit_form(self, client, users):
        child = make_child(users.director)
        client.force_login(users.director)
        url = f"/registry/children/{child.pk}/visits/new/"
        assert client.get(url).status_code == 200
        bad = client.post(url, {"visited_on": "2999-01-01", "kind": "home", "findings": "看望"})
        assert bad.status_code == 200 and "看望" in bad.content.decode()  # nothing typed is lost
        response = client.post(
            url, {"visited_on": timezone.localdate().isoformat(), "kind": "phone", "findings": "电话了解近况"}
        )
        assert response.status_code == 302
        assert child.visits.get().kind == "phone"
        client.force_login(users.other_director)
        assert client.get(url).status_code == 404  # out of scope answers as missing


# ----- risk assessments and tasks ---------------------------------------------------------------


def assess(actor, child, ticked, **extra):
    return actions.do_assess_risk(actor, child, assessed_on=timezone.localdate(), ticked=ticked, **extra)


@pytest.mark.django_db
class TestRiskAssessments:
    def test_high_risk_raises_a_task_for_the_street(self, users):
        child = make_child(users.director)
        critical = next(i.code for i in load_checklist().items if i.critical)
        assessment = assess(users.director, child, [critical])
        assert assessment.level == "high" and assessment.state == AssessmentState.SUBMITTED
        task = Task.objects.get(assessment=assessment)
        assert (task.kind, task.street.code, task.child) == (TaskKind.HIGH_RISK, "330302001", child)
        assert task.due_on == timezone.localdate() + datetime.timedelta(days=current_policy().tasks.high_risk_days)
        assert assess(users.director, child, []).tasks.count() == 0  # low: no task

    def test_a_pending_high_level_already_tightens_visits(self, users):
        child = make_child(users.director, categories=["left_behind"])
        visit(users.director, child, 20)
        assert not due_for(child).is_overdue
        assess(users.director, child, [], raised_to="high", raise_reason="邻居反映夜间无人照看")
        status = risk_status(child)
        assert (status.level, status.pending, status.approved_level) == ("high", True, None)
        due = due_for(child)
        # Weekly from the assessment (today), not from the visit 20 days ago: not overdue at once.
        assert due.interval.source == "risk" and due.interval.days == 7
        assert due.date == timezone.localdate() + datetime.timedelta(days=7) and not due.is_overdue

    def test_approval_by_the_street_supervisor_only(self, users):
        child = make_child(users.director)
        assessment = assess(users.director, child, items_worth(load_checklist(), 4))
        for other in (users.director, users.other_director, users.other_supervisor, users.office, users.leader):
            with pytest.raises(PermissionDenied):
                actions.do_review_assessment(other, assessment, approve=True)
        with pytest.raises(actions.CaseworkError):
            actions.do_review_assessment(users.supervisor, assessment, approve=False, note="")
        approved = actions.do_review_assessment(users.supervisor, assessment, approve=True)
        assert (approved.state, approved.reviewed_by) == (AssessmentState.APPROVED, users.supervisor)
        with pytest.raises(actions.CaseworkError):
            actions.do_review_assessment(users.supervisor, assessment, approve=True)

    def test_a_returned_assessment_counts_for_nothing(self, users):
        child = make_child(users.director)
        first = assess(users.director, child, items_worth(load_checklist(), 4))
        actions.do_review_assessment(users.supervisor, first, approve=True)
        second = assess(users.director, child, [], raised_to="high", raise_reason="误判")
        actions.do_review_assessment(users.supervisor, second, approve=False, note="证据不足，请补充走访")
        status = risk_status(child)
        assert (status.level, status.pending) == ("medium", False)

    def test_only_the_director_assesses_while_there_is_one(self, users):
        child = make_child(users.director)
        with pytest.raises(PermissionDenied):
            assess(users.supervisor, child, [])
        # Where no director is appointed the supervisor assesses, and cannot approve their own.
        orphaned = make_child(users.supervisor, community="330302001003")
        own = assess(users.supervisor, orphaned, [])
        with pytest.raises(PermissionDenied):
            actions.do_review_assessment(users.supervisor, own, approve=True)

    def test_raising_needs_a_reason(self, users):
        child = make_child(users.director)
        with pytest.raises(actions.CaseworkError):
            assess(users.director, child, [], raised_to="high")
        assert not child.risk_assessments.exists()

    def test_pages_record_and_review(self, client, users):
        child = make_child(users.director)
        checklist = load_checklist()
        client.force_login(users.director)
        url = f"/registry/children/{child.pk}/risk/new/"
        page = client.get(url).content.decode()
        assert all(item.text in page for item in checklist.items)
        ticked = items_worth(checklist, checklist.thresholds.high)
        response = client.post(
            url, {"assessed_on": timezone.localdate().isoformat(), **{f"item_{code}": "on" for code in ticked}}
        )
        assessment = child.risk_assessments.get()
        assert (
            response.status_code == 302 and assessment.level == "high" and sorted(assessment.ticked) == sorted(ticked)
        )
        assert client.post(f"/registry/risk/{assessment.pk}/", {"decision": "approve"}).status_code == 403
        client.force_login(users.supervisor)
        dashboard = client.get("/registry/supervision/").content.decode()
        assert "risk-high" in dashboard and child.name in dashboard
        assert client.post(f"/registry/risk/{assessment.pk}/", {"decision": "approve"}).status_code == 302
        assessment.refresh_from_db()
        assert assessment.state == AssessmentState.APPROVED

    def test_closing_a_task(self, client, users):
        child = make_child(users.director)
        assess(users.director, child, [], raised_to="high", raise_reason="家暴线索")
        task = Task.objects.get()
        client.force_login(users.other_supervisor)
        assert client.post(f"/registry/tasks/{task.pk}/close/", {"note": "x"}).status_code == 404
        with pytest.raises(actions.CaseworkError):
            actions.do_close_task(users.supervisor, task, note=" ")
        client.force_login(users.supervisor)
        client.post(f"/registry/tasks/{task.pk}/close/", {"note": "已联系派出所并入户核实"})
        task.refresh_from_db()
        assert (task.state, task.closed_by) == ("closed", users.supervisor)


# ----- one-to-one assistance --------------------------------------------------------------------


@pytest.mark.django_db
class TestAssistance:
    def test_plan_follow_ups_and_closing(self, users):
        child = make_child(users.director)
        start = timezone.localdate() - datetime.timedelta(days=60)
        plan = actions.do_start_assistance(
            users.director,
            child,
            helper_name="陈老师",
            helper_organisation="五马小学",
            helper_contact="0577-8888",
            plan="每周课业辅导一次",
            start_date=start,
        )
        actions.do_add_follow_up(users.director, plan, date=start + datetime.timedelta(days=7), note="辅导数学")
        with pytest.raises(actions.CaseworkError):
            actions.do_add_follow_up(users.director, plan, date=start - datetime.timedelta(days=1), note="早于开始")
        with pytest.raises(PermissionDenied):
            actions.do_add_follow_up(users.other_director, plan, date=start, note="越权")
        actions.do_close_assistance(users.supervisor, plan, closed_on=timezone.localdate(), note="成绩稳定，结束帮扶")
        plan.refresh_from_db()
        assert (plan.state, plan.follow_ups.count()) == ("closed", 1)
        with pytest.raises(actions.CaseworkError):
            actions.do_add_follow_up(users.director, plan, date=timezone.localdate(), note="再记一次")

    def test_pages(self, client, users):
        child = make_child(users.director)
        client.force_login(users.director)
        response = client.post(
            f"/registry/children/{child.pk}/assistance/new/",
            {"helper_name": "陈老师", "plan": "每周辅导", "start_date": timezone.localdate().isoformat()},
        )
        assert response.status_code == 302
        url = response.url
        client.post(url, {"step": "follow_up", "date": timezone.localdate().isoformat(), "note": "第一次辅导"})
        assert "第一次辅导" in client.get(url).content.decode()
        client.force_login(users.other_director)
        assert client.get(url).status_code == 404


# ----- referrals --------------------------------------------------------------------------------


@pytest.mark.django_db
class TestReferrals:
    @pytest.fixture
    def referral(self, users) -> Referral:
        child = make_child(users.director, name="孙小红", sex="female", address="五马街12号")
        return referral_actions.do_refer(
            users.director, child, department=Department.objects.get(code="health"), reason="需要康复评估"
        )

    def test_the_department_sees_its_referrals_needed_fields_only(self, client, users, referral):
        client.force_login(users.reporter)
        inbox = client.get("/registry/referrals/").content.decode()
        assert "孙小红" in inbox and "需要康复评估" in inbox
        page = client.get(f"/registry/referrals/{referral.pk}/").content.decode()
        assert "孙小红" in page and "五马街12号" not in page
        assert client.get(f"/registry/children/{referral.child_id}/casework/").status_code == 403
        for outsider in (users.education_reporter, users.other_director):
            client.force_login(outsider)
            assert client.get(f"/registry/referrals/{referral.pk}/").status_code == 404
        client.force_login(users.education_reporter)
        assert "孙小红" not in client.get("/registry/referrals/").content.decode()

    def test_progress_and_closing_by_the_department(self, client, users, referral):
        with pytest.raises(PermissionDenied):
            referral_actions.do_close_referral(users.director, referral, outcome="自行结束")
        client.force_login(users.reviewer)
        url = f"/registry/referrals/{referral.pk}/"
        client.post(url, {"step": "update", "date": timezone.localdate().isoformat(), "note": "已安排评估"})
        assert referral.updates.get().recorded_by == users.reviewer
        client.post(url, {"step": "close", "note": "评估完成，纳入康复救助"})
        referral.refresh_from_db()
        assert (referral.state, referral.outcome) == ("closed", "评估完成，纳入康复救助")
        # Closed: the department keeps its record, without the child.
        page = client.get(url).content.decode()
        assert "孙小红" not in page and "评估完成" in page
        assert "孙小红" not in client.get("/registry/referrals/").content.decode()

    def test_one_open_referral_per_department_and_the_street_list(self, client, users, referral):
        with pytest.raises(actions.CaseworkError):
            referral_actions.do_refer(users.supervisor, referral.child, department=referral.department, reason="再次")
        client.force_login(users.supervisor)
        assert "孙小红" in client.get("/registry/supervision/").content.decode()
        client.force_login(users.other_supervisor)
        assert "孙小红" not in client.get("/registry/referrals/").content.decode()


# ----- audit and access log ---------------------------------------------------------------------


@pytest.mark.django_db
def test_every_change_is_audited_without_personal_data(client, users):
    child = make_child(users.director, name="欧阳娜娜")
    visit(users.director, child, 1)
    assess(users.director, child, [], raised_to="high", raise_reason="欧阳娜娜独自在家")
    plan = actions.do_start_assistance(
        users.director, child, helper_name="周老师", plan="欧阳娜娜的辅导", start_date=timezone.localdate()
    )
    actions.do_add_follow_up(users.director, plan, date=timezone.localdate(), note="欧阳娜娜进步")
    referral_actions.do_refer(
        users.director, child, department=Department.objects.get(code="health"), reason="欧阳娜娜体检"
    )
    events = AuditEvent.objects.filter(action__startswith="registry.").exclude(action="registry.child_created")
    assert {e.action for e in events} >= {
        "registry.visit",
        "registry.risk_assess",
        "registry.task_raise",
        "registry.assistance_start",
        "registry.assistance_follow_up",
        "registry.referral_open",
    }
    dump = json.dumps([e.detail for e in events], ensure_ascii=False)
    assert "欧阳" not in dump and "周老师" not in dump
    client.force_login(users.director)
    client.get(f"/registry/children/{child.pk}/casework/")
    assert ChildAccessLog.objects.filter(child=child, user=users.director, action=AccessAction.VIEW).exists()


@pytest.mark.django_db
def test_assignment_follows_the_accounts(client, users):
    child = make_child(users.supervisor, community="330302001003")
    client.force_login(users.supervisor)
    page = client.get(f"/registry/children/{child.pk}/casework/").content.decode()
    assert gettext("not assigned") in page
    make_user("director3", Role.COMMUNITY_DIRECTOR, area="330302001003", full_name="钱主任")
    page = client.get(f"/registry/children/{child.pk}/casework/").content.decode()
    assert "钱主任" in page


@pytest.mark.django_db
def test_escalate_command_runs_with_nothing_to_do(users, capsys):
    call_command("registry_escalate")
    assert "0" in capsys.readouterr().out
