"""Recommendations and their follow-up (对策建议与督办): issuing, answering with evidence, closing and sending
back, the recommendation closing with its last addressee, the daily escalation (once and only once),
notifications and audit rows, and the pages (list filters, prefilled issue form, confirm steps)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from childfirst.accounts.models import AuditEvent
from childfirst.areas.models import Area
from childfirst.implementation.models import (
    Assignment,
    AssignmentState,
    Document,
    Recommendation,
    RecommendationState,
    ResponseDecision,
)
from childfirst.implementation.recommendation_actions import (
    FollowupError,
    do_close_assignment,
    do_escalate_overdue,
    do_issue_recommendation,
    do_respond,
    do_return,
)
from childfirst.notifications.models import Kind, Notification
from childfirst.plans.models import Department, Indicator
from tests.implementation.files import exe_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db

WUMA = "330302001"


def issue(users, plan, *, departments=("health",), streets=(), due_in=30, **extra):
    return do_issue_recommendation(
        users.office,
        plan,
        year=2025,
        title=extra.pop("title", "关于提升中医药健康管理服务覆盖率的建议"),
        text=extra.pop("text", "建议扩大服务时段。"),
        source=extra.pop("source", "warning"),
        indicator=extra.pop("indicator", Indicator.objects.get(plan=plan, code="HEA-11")),
        due_date=timezone.localdate() + datetime.timedelta(days=due_in),
        departments=list(Department.objects.filter(area=plan.area, code__in=departments)),
        streets=list(Area.objects.filter(code__in=streets)),
        **extra,
    )


def assignment_of(recommendation, *, department=None, street=None) -> Assignment:
    found = recommendation.assignments.select_related("recommendation__plan__area", "department", "area")
    return found.get(department__code=department) if department else found.get(area__code=street)


def test_issue_makes_one_assignment_per_addressee_audited_and_notified(users, plan):
    recommendation = issue(users, plan, departments=("health", "education"), streets=(WUMA,))
    assert recommendation.state == RecommendationState.OPEN
    assert sorted(
        str(a.department.code if a.department else a.area.code) for a in recommendation.assignments.all()
    ) == [
        WUMA,
        "education",
        "health",
    ]
    event = AuditEvent.objects.get(action="implementation.recommendation_issued")
    assert event.detail["departments"] == ["education", "health"] and event.detail["streets"] == [WUMA]
    assert event.detail["indicator"] == "HEA-11"
    told = set(Notification.objects.filter(kind=Kind.RECOMMENDATION).values_list("recipient__username", flat=True))
    assert told == {"reporter", "reviewer", "edu-reporter", "supervisor"}


@pytest.mark.parametrize("who", ["reporter", "supervisor", "leader", "evaluator", "director"])
def test_only_the_office_issues(users, plan, who):
    with pytest.raises(PermissionDenied):
        do_issue_recommendation(
            getattr(users, who),
            plan,
            year=2025,
            title="t",
            text="x",
            source="other",
            due_date=timezone.localdate(),
            departments=[Department.objects.get(area=plan.area, code="health")],
        )
    assert not Recommendation.objects.exists()


def test_another_districts_office_cannot_issue_on_this_plan(users, plan, second_district):
    with pytest.raises(PermissionDenied):
        issue(type("U", (), {"office": second_district.office})(), plan)


def test_issue_refuses_without_addressee_or_with_an_outside_one(users, plan, second_district):
    with pytest.raises(ValidationError) as refused:
        issue(users, plan, departments=())
    assert "departments" in refused.value.message_dict
    other = Department.objects.get(area=second_district.plan.area, code="health")
    with pytest.raises(ValidationError):
        do_issue_recommendation(
            users.office,
            plan,
            year=2025,
            title="t",
            text="x",
            source="other",
            due_date=timezone.localdate(),
            departments=[other],
        )
    with pytest.raises(ValidationError) as refused:
        issue(users, plan, source="warning", indicator=None)
    assert "indicator" in refused.value.message_dict
    assert not Recommendation.objects.exists()


def test_respond_close_and_the_recommendation_closes_with_its_last_addressee(users, plan):
    recommendation = issue(users, plan, streets=(WUMA,))
    health = assignment_of(recommendation, department="health")
    response = do_respond(
        users.reporter, health, action_taken="已扩大服务时段。", evidence=[upload("证明.pdf", pdf_bytes())]
    )
    health.refresh_from_db()
    assert health.state == AssignmentState.ANSWERED
    assert Document.objects.get(response=response).content_type == "application/pdf"
    assert Notification.objects.filter(kind=Kind.REC_ANSWERED, recipient=users.office).exists()
    health = assignment_of(recommendation, department="health")
    do_close_assignment(users.office, health)
    health.refresh_from_db()
    response.refresh_from_db()
    assert health.state == AssignmentState.CLOSED and health.closed_by == users.office
    assert response.decision == ResponseDecision.ACCEPTED
    recommendation.refresh_from_db()
    assert recommendation.state == RecommendationState.OPEN  # the street has not answered yet
    street = assignment_of(recommendation, street=WUMA)
    do_respond(users.supervisor, street, action_taken="街道已整改。")
    do_close_assignment(users.office, assignment_of(recommendation, street=WUMA))
    recommendation.refresh_from_db()
    assert recommendation.state == RecommendationState.CLOSED and recommendation.closed_at is not None
    assert AuditEvent.objects.filter(action="implementation.recommendation_closed", object_id=str(street.pk)).exists()
    assert Notification.objects.filter(kind=Kind.REC_CLOSED, recipient=users.supervisor).exists()


def test_return_keeps_the_answer_and_the_addressee_answers_again(users, plan):
    recommendation = issue(users, plan)
    health = assignment_of(recommendation, department="health")
    first = do_respond(users.reviewer, health, action_taken="第一次答复。")
    with pytest.raises(ValidationError):
        do_return(users.office, assignment_of(recommendation, department="health"), "  ")
    do_return(users.office, assignment_of(recommendation, department="health"), "请补充数量。")
    first.refresh_from_db()
    assert first.decision == ResponseDecision.RETURNED and first.decision_reason == "请补充数量。"
    health = assignment_of(recommendation, department="health")
    assert health.state == AssignmentState.RETURNED
    assert Notification.objects.filter(kind=Kind.REC_RETURNED, recipient=users.reporter).exists()
    do_respond(users.reporter, health, action_taken="第二次答复。")
    assert health.responses.count() == 2
    do_close_assignment(users.office, assignment_of(recommendation, department="health"))
    assert health.responses.filter(decision=ResponseDecision.ACCEPTED).get().action_taken == "第二次答复。"


def test_wrong_addressee_or_state_is_refused(users, plan):
    recommendation = issue(users, plan)
    health = assignment_of(recommendation, department="health")
    for outsider in (users.education_reporter, users.supervisor, users.office, users.leader):
        with pytest.raises(PermissionDenied):
            do_respond(outsider, health, action_taken="x")
    with pytest.raises(FollowupError):  # nothing to decide on yet
        do_close_assignment(users.office, health)
    do_respond(users.reporter, health, action_taken="答复。")
    with pytest.raises(FollowupError):  # answered: awaits the office, not a second answer
        do_respond(users.reporter, assignment_of(recommendation, department="health"), action_taken="again")
    with pytest.raises(PermissionDenied):
        do_close_assignment(users.reviewer, assignment_of(recommendation, department="health"))


def test_bad_evidence_stores_nothing(users, plan):
    recommendation = issue(users, plan)
    health = assignment_of(recommendation, department="health")
    with pytest.raises(ValidationError) as refused:
        do_respond(
            users.reporter,
            health,
            action_taken="答复。",
            evidence=[upload("ok.pdf", pdf_bytes()), upload("报告.pdf", exe_bytes())],
        )
    assert "报告.pdf" in refused.value.messages[0]
    health.refresh_from_db()
    assert health.state == AssignmentState.OPEN and not health.responses.exists() and not Document.objects.exists()


def test_escalation_once_and_only_once(users, plan):
    late = issue(users, plan, due_in=0)
    on_time = issue(users, plan, due_in=10, title="另一条")
    closed = issue(users, plan, due_in=0, title="已办结")
    assignment = assignment_of(closed, department="health")
    do_respond(users.reporter, assignment, action_taken="答复。")
    do_close_assignment(users.office, assignment_of(closed, department="health"))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert do_escalate_overdue(tomorrow) == 1
    escalated = assignment_of(late, department="health")
    assert escalated.escalated_at is not None
    assert assignment_of(on_time, department="health").escalated_at is None
    notices = Notification.objects.filter(kind=Kind.REC_OVERDUE)
    assert set(notices.values_list("recipient__username", flat=True)) == {"office", "reporter", "reviewer"}
    count = notices.count()
    assert do_escalate_overdue(tomorrow) == 0
    assert do_escalate_overdue(tomorrow + datetime.timedelta(days=3)) == 0
    assert Notification.objects.filter(kind=Kind.REC_OVERDUE).count() == count
    assert assignment_of(late, department="health").escalated_at == escalated.escalated_at
    event = AuditEvent.objects.get(action="implementation.recommendations_escalated")
    assert event.detail == {"assignments": [escalated.pk], "count": 1}


def test_escalate_command(users, plan, capsys):
    recommendation = issue(users, plan, due_in=0)
    Recommendation.objects.filter(pk=recommendation.pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    call_command("implementation_escalate")
    assert "1" in capsys.readouterr().out
    assert assignment_of(recommendation, department="health").escalated_at is not None


def test_closed_on_time_and_for_department_year(users, plan):
    recommendation = issue(users, plan, due_in=5)
    health = assignment_of(recommendation, department="health")
    assert not health.closed_on_time
    do_respond(users.reporter, health, action_taken="答复。")
    do_close_assignment(users.office, assignment_of(recommendation, department="health"))
    health = Assignment.objects.for_department_year(
        Department.objects.get(area=plan.area, code="health"), plan, 2025
    ).get()
    assert health.closed_on_time
    Recommendation.objects.filter(pk=recommendation.pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    health.refresh_from_db()
    health.recommendation.refresh_from_db()
    assert not health.closed_on_time
    assert not Assignment.objects.for_department_year(health.department, plan, 2024).exists()


# ----- pages ---------------------------------------------------------------------------------------


def test_issue_form_is_prefilled_from_an_indicator_and_a_street(client, users, plan):
    client.force_login(users.office)
    url = reverse("implementation:recommendation_new", args=[plan.code])
    page = client.get(url, {"indicator": "HEA-11", "year": "2024"}).content.decode()
    assert 'value="HEA-11" selected' in page and 'value="2024"' in page
    page = client.get(url, {"street": WUMA}).content.decode()
    assert f'value="{WUMA}" selected' in page
    assert client.get(url, {"indicator": "NOPE-1"}).status_code == 404
    assert client.get(url, {"street": "990101001"}).status_code == 404
    assert client.get(url, {"year": "abc"}).status_code == 404


def test_issue_form_keeps_input_on_error_and_issues(client, users, plan):
    client.force_login(users.office)
    url = reverse("implementation:recommendation_new", args=[plan.code])
    due = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    data = {"title": "我的建议标题", "text": "正文", "source": "warning", "year": "2025", "due_date": due}
    response = client.post(url, data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "我的建议标题" in page and "正文" in page
    assert not Recommendation.objects.exists()
    health = Department.objects.get(area=plan.area, code="health")
    response = client.post(url, data | {"indicator": "HEA-11", "departments": [health.pk]})
    recommendation = Recommendation.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "implementation:recommendation", args=[plan.code, recommendation.pk]
    )
    past = client.post(url, data | {"indicator": "HEA-11", "departments": [health.pk], "due_date": "2020-01-01"})
    assert past.status_code == 422 and Recommendation.objects.count() == 1


def test_list_filters_and_scoping(client, users, plan, django_assert_max_num_queries):
    open_one = issue(users, plan, departments=("health",))
    overdue = issue(users, plan, departments=("education",), title="教育逾期", due_in=0)
    Recommendation.objects.filter(pk=overdue.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=2))
    url = reverse("implementation:recommendations", args=[plan.code])
    client.force_login(users.office)
    with django_assert_max_num_queries(15):
        page = client.get(url).content.decode()
    assert open_one.title in page and "教育逾期" in page
    page = client.get(url, {"state": "overdue"}).content.decode()
    assert "教育逾期" in page and open_one.title not in page
    assert client.get(url, {"state": "nonsense"}).status_code == 400
    client.force_login(users.reporter)
    page = client.get(url).content.decode()
    assert open_one.title in page and "教育逾期" not in page
    client.force_login(users.education_reporter)
    assert "教育逾期" in client.get(url, {"state": "overdue"}).content.decode()


def test_respond_close_and_return_through_the_pages(client, users, plan):
    recommendation = issue(users, plan)
    health = assignment_of(recommendation, department="health")
    client.force_login(users.reporter)
    respond = reverse("implementation:assignment_respond", args=[plan.code, health.pk])
    bad = client.post(respond, {"action_taken": "我的答复", "evidence": [upload("x.pdf", exe_bytes())]})
    assert bad.status_code == 422 and "我的答复" in bad.content.decode() and "x.pdf" in bad.content.decode()
    ok = client.post(respond, {"action_taken": "我的答复", "evidence": [upload("x.pdf", pdf_bytes())]})
    assert ok.status_code == 302
    detail = client.get(reverse("implementation:recommendation", args=[plan.code, recommendation.pk])).content.decode()
    assert "我的答复" in detail and "x.pdf" in detail
    client.force_login(users.office)
    back = reverse("implementation:assignment_return", args=[plan.code, health.pk])
    assert client.post(back).status_code == 400  # the confirmation step: nothing done yet
    assert client.post(back, {"confirmed": "yes"}).status_code == 400  # no reason
    assert assignment_of(recommendation, department="health").state == AssignmentState.ANSWERED
    assert client.post(back, {"confirmed": "yes", "reason": "证据不足"}).status_code == 302
    assert assignment_of(recommendation, department="health").state == AssignmentState.RETURNED
    client.force_login(users.reporter)
    client.post(respond, {"action_taken": "补充答复"})
    client.force_login(users.office)
    close = reverse("implementation:assignment_close", args=[plan.code, health.pk])
    assert client.post(close).status_code == 400
    assert client.post(close, HTTP_X_CONFIRM_STEP="1").status_code == 200  # the dialog's form
    assert assignment_of(recommendation, department="health").state == AssignmentState.ANSWERED
    assert client.post(close, {"confirmed": "yes"}).status_code == 302
    assert assignment_of(recommendation, department="health").state == AssignmentState.CLOSED
    detail = client.get(reverse("implementation:recommendation", args=[plan.code, recommendation.pk])).content.decode()
    assert "证据不足" in detail and "补充答复" in detail and "我的答复" in detail


def test_an_addressee_sees_only_its_own_follow_up(client, users, plan):
    recommendation = issue(users, plan, departments=("health", "education"))
    do_respond(users.education_reporter, assignment_of(recommendation, department="education"), action_taken="教育答复")
    client.force_login(users.reporter)
    page = client.get(reverse("implementation:recommendation", args=[plan.code, recommendation.pk])).content.decode()
    assert "教育答复" not in page
    client.force_login(users.office)
    page = client.get(reverse("implementation:recommendation", args=[plan.code, recommendation.pk])).content.decode()
    assert "教育答复" in page


def test_home_pages_show_overdue_and_open_follow_ups(client, users, plan):
    overdue = issue(users, plan, title="逾期的建议", due_in=0)
    Recommendation.objects.filter(pk=overdue.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=3))
    issue(users, plan, title="街道的建议", departments=(), streets=(WUMA,))
    client.force_login(users.office)
    assert "逾期的建议" in client.get("/").content.decode()
    client.force_login(users.reporter)
    page = client.get("/").content.decode()
    assert "逾期的建议" in page and "街道的建议" not in page
    client.force_login(users.supervisor)
    page = client.get("/").content.decode()
    assert "街道的建议" in page and "逾期的建议" not in page
    client.force_login(users.leader)
    assert "逾期的建议" not in client.get("/").content.decode()


def test_evaluation_pages_link_to_the_issue_form_for_the_office(client, users, plan, demo):
    client.force_login(users.office)
    page = client.get(reverse("evaluation:indicator", args=[plan.code, "HEA-11"])).content.decode()
    assert reverse("implementation:recommendation_new", args=[plan.code]) + "?indicator=HEA-11" in page
    page = client.get(reverse("evaluation:street", args=[plan.code, WUMA])).content.decode()
    assert f"?street={WUMA}" in page
    client.force_login(users.leader)
    page = client.get(reverse("evaluation:indicator", args=[plan.code, "HEA-11"])).content.decode()
    assert "recommendations/new" not in page


def test_closed_on_time_counts_the_local_day(users, plan):
    """Closed at 01:00 in Wenzhou on the day after the due date is late, though it is still the due date in UTC."""
    recommendation = issue(users, plan)
    health = assignment_of(recommendation, department="health")
    do_respond(users.reporter, health, action_taken="答复。")
    do_close_assignment(users.office, assignment_of(recommendation, department="health"))
    due = datetime.date(2025, 6, 30)
    Recommendation.objects.filter(pk=recommendation.pk).update(due_date=due)
    late = datetime.datetime(2025, 6, 30, 17, 0, tzinfo=datetime.UTC)  # 2025-07-01 01:00 in UTC+8
    Assignment.objects.filter(pk=health.pk).update(closed_at=late)
    assert not assignment_of(recommendation, department="health").closed_on_time
    Assignment.objects.filter(pk=health.pk).update(closed_at=late - datetime.timedelta(hours=2))
    assert assignment_of(recommendation, department="health").closed_on_time
