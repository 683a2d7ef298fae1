"""The home page shows each role its own work — and only its own area's and department's — with a
bounded number of queries, and every link on it is one the user may follow."""

from __future__ import annotations

import html
import re

import pytest
from django.utils import timezone

from childfirst.collection.models import Submission
from childfirst.evaluation.actions import do_publish

from ..registry.test_mandatory_reports import file_report
from ..registry.test_registry_casework import assess, backdate, make_child

ROLES = ["office", "reporter", "reviewer", "supervisor", "director", "leader", "evaluator"]


def home(client, user) -> str:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def links(page: str) -> list[str]:
    """Every in-app link of the page (not the static files)."""
    found = {html.unescape(href) for href in re.findall(r'href="(/[^"]*)"', page)}
    return sorted(href for href in found if not href.startswith("/static/"))


def set_state(submission: Submission, state: str, **fields) -> None:
    Submission.objects.filter(pk=submission.pk).update(state=state, **fields)


@pytest.fixture
def work(users, round_2025):
    """Something for every role: returned and submitted data, children due a visit in two
    communities, reports in two streets, an assessment to approve, a published evaluation."""
    health = round_2025.submissions.get(department__code="health")
    education = round_2025.submissions.get(department__code="education")
    set_state(health, "returned", return_reason="第3行数据有误")
    set_state(education, "submitted", submitted_at=timezone.now())
    mine = backdate(make_child(users.director, name="王小明"), 90)
    theirs = backdate(make_child(users.other_director, community="330302001002", name="陈小华"), 90)
    far = make_child(users.other_supervisor, community="330302002001", name="林小丽")
    from childfirst.registry.casework.risk import load_checklist

    critical = next(i.code for i in load_checklist().items if i.critical)
    assessment = assess(users.director, mine, [critical])
    report_here = file_report(community="330302001002", urgency="urgent")
    report_there = file_report(community="330302002001", urgency="normal")
    do_publish(None, round_2025.plan, 2024)
    return {
        "health": health,
        "education": education,
        "mine": mine,
        "theirs": theirs,
        "far": far,
        "assessment": assessment,
        "report_here": report_here,
        "report_there": report_there,
    }


@pytest.mark.django_db
class TestEachRoleSeesItsOwnWork:
    def test_reporter_sees_returned_data_with_its_reason(self, client, users, work):
        page = home(client, users.reporter)
        assert "退回修改" in page or "Returned" in page
        assert "第3行数据有误" in page
        assert "/plans/lucheng-2021-2025/collection/rounds/2025/health/" in page
        assert "/plans/lucheng-2021-2025/collection/rounds/2025/education/" not in page  # another department's

    def test_reviewer_sees_only_their_departments_submissions_awaiting_review(self, client, users, work):
        page = home(client, users.reviewer)
        assert "没有等待您审核的报送" in page  # education's is submitted, not health's
        set_state(work["health"], "submitted", submitted_at=timezone.now())
        page = home(client, users.reviewer)
        assert "/plans/lucheng-2021-2025/collection/rounds/2025/health/" in page
        assert "/plans/lucheng-2021-2025/collection/rounds/2025/education/" not in page

    def test_office_sees_round_progress_warnings_and_what_awaits_it(self, client, users, work):
        set_state(work["health"], "approved")
        page = home(client, users.office)
        assert "/plans/lucheng-2021-2025/collection/rounds/2025/" in page  # round progress
        assert "<progress" in page
        assert "/plans/lucheng-2021-2025/collection/rounds/2025/health/" in page  # approved, to accept
        assert "/plans/lucheng-2021-2025/evaluation/?year=2024" in page  # the published evaluation's warnings
        assert "王小明" not in page and "陈小华" not in page  # the office sees no child

    def test_leader_sees_status_summary_and_latest_report(self, client, users, work):
        page = home(client, users.leader)
        assert "2024" in page and "/plans/lucheng-2021-2025/evaluation/?year=2024" in page
        assert "/plans/lucheng-2021-2025/reports/" in page
        assert "王小明" not in page

    def test_director_sees_own_communitys_visits_due_and_nothing_else(self, client, users, work):
        page = home(client, users.director)
        assert "王小明" in page
        assert f"/registry/children/{work['mine'].pk}/visits/new/" in page
        assert "陈小华" not in page and "林小丽" not in page
        assert f"/registry/children/{work['theirs'].pk}/" not in page

    def test_supervisor_sees_reports_with_countdowns_approvals_and_overdue_by_community(self, client, users, work):
        page = home(client, users.supervisor)
        assert work["report_here"].receipt_number in page
        assert work["report_there"].receipt_number not in page  # another street's
        assert f"/registry/risk/{work['assessment'].pk}/" in page
        assert "五马第一社区" in page and "overdue=1" in page  # overdue visits by community
        assert "林小丽" not in page
        assert "王小明" in page  # the assessment awaiting approval names the child, as the dashboard does

    def test_home_lists_of_children_are_access_logged(self, client, users, work):
        from childfirst.registry.models import ChildAccessLog

        before = ChildAccessLog.objects.filter(user=users.director).count()
        home(client, users.director)
        assert ChildAccessLog.objects.filter(user=users.director).count() == before + 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_link_on_the_home_page_can_be_followed(client, users, work, role):
    user = getattr(users, role)
    page = home(client, user)
    hrefs = links(page)
    assert len(hrefs) > 5
    for href in hrefs:
        status = client.get(href).status_code
        assert status not in (403, 404) and status < 500, (role, href, status)


# Upper bounds of the home page's queries per role, with the work above (session, user and the
# header's unread count included); a role's list that grows with its children must not add queries.
MAX_QUERIES = {
    "office": 30,
    "reporter": 16,  # + the implementation reports waiting and the recommendations awaiting an answer
    "reviewer": 17,  # + the implementation reports waiting and the recommendations awaiting an answer
    "supervisor": 32,
    "director": 25,
    "leader": 16,
    "evaluator": 16,
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_home_queries_are_bounded(client, users, work, role, django_assert_max_num_queries):
    user = getattr(users, role)
    client.force_login(user)
    client.get("/")  # caches warmed, escalation done
    for n in range(5):
        backdate(make_child(users.director, name=f"王小{n}号"), 90)
    with django_assert_max_num_queries(MAX_QUERIES[role]):
        assert client.get("/").status_code == 200
