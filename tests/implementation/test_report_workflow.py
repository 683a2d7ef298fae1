"""The implementation report's workflow (report_actions): opening, writing, every transition, the
wrong role refused, version conflicts, a non-editable report refused, returns keeping their reasons,
audit rows and notifications."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from childfirst.accounts.models import AuditEvent
from childfirst.collection.actions import do_close_round
from childfirst.collection.models import SubmissionState
from childfirst.implementation import report_actions as actions
from childfirst.implementation.models import ImplementationReport, ReportItem
from childfirst.implementation.report_actions import ItemInput
from childfirst.implementation.reports import department_items, is_complete, reporting_departments, round_rows
from childfirst.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _fill(report: ImplementationReport, user, **overrides) -> ImplementationReport:
    items = {
        i.pk: ItemInput(
            work_done=f"开展工作{i.pk}",
            results="成效明显",
            funds_budgeted=Decimal("10.50"),
            funds_spent=Decimal("9.25"),
            problems="",
            next_year="继续推进",
            **overrides,
        )
        for i in report.items.all()
    }
    return actions.do_save_report(user, report, report.version, "全年工作总结", items)


def test_opening_creates_one_report_per_department_with_its_items(reports_2025, plan):
    departments = reporting_departments(plan)
    reports = ImplementationReport.objects.filter(round=reports_2025)
    assert reports.count() == len(departments) > 5
    health = reports.get(department__code="health")
    measures, key_projects = department_items(plan, health.department)
    assert measures and key_projects
    assert health.items.filter(measure__isnull=False).count() == len(measures)
    assert set(health.items.exclude(key_project=None).values_list("key_project", flat=True)) == {
        k.pk for k in key_projects
    }
    # the rule: measures of the domains in which health is answerable for an indicator
    domains = set(
        plan.indicators.filter(responsibilities__department=health.department).values_list("domain", flat=True)
    )
    assert {m.domain_id for m in measures} == domains
    # every key project naming health, and none that does not
    assert all(health.department in k.departments.all() for k in key_projects)
    assert AuditEvent.objects.filter(action="implementation.open_reports").count() == 1
    assert Notification.objects.filter(recipient__username="reporter", url__contains=f"/reports/{health.pk}/").exists()


def test_opening_again_creates_nothing_and_only_the_office_opens(reports_2025, users):
    count = ImplementationReport.objects.filter(round=reports_2025).count()
    assert actions.do_open_reports(users.office, reports_2025) == 0
    assert ImplementationReport.objects.filter(round=reports_2025).count() == count
    for user in (users.reporter, users.leader, users.supervisor):
        with pytest.raises(PermissionDenied):
            actions.do_open_reports(user, reports_2025)


def test_the_whole_workflow_with_a_return(health_report, users):
    report = _fill(health_report, users.reporter)
    assert report.version == 2 and report.summary == "全年工作总结" and is_complete(report)
    item = report.items.first()
    assert (item.funds_budgeted, item.funds_spent) == (Decimal("10.50"), Decimal("9.25"))
    report = actions.do_submit_report(users.reporter, report, report.version)
    assert report.state == SubmissionState.SUBMITTED and report.submitted_by == users.reporter
    report = actions.do_return_report(users.reviewer, report, report.version, "  经费数据需核实 ")
    assert report.state == SubmissionState.RETURNED and report.return_reason == "经费数据需核实"
    assert Notification.objects.filter(recipient=users.reporter, kind="data_returned").exists()
    report = actions.do_submit_report(users.reporter, report, report.version)
    report = actions.do_approve_report(users.reviewer, report, report.version)
    assert report.state == SubmissionState.APPROVED and report.reviewed_by == users.reviewer
    assert Notification.objects.filter(recipient=users.office, kind="data_approved").exists()
    # the office may return an approved report too, with its own reason, which replaces the earlier one
    report = actions.do_return_report(users.office, report, report.version, "请补充证明材料")
    assert report.return_reason == "请补充证明材料"
    report = actions.do_submit_report(users.reporter, report, report.version)
    report = actions.do_approve_report(users.reviewer, report, report.version)
    report = actions.do_accept_report(users.office, report, report.version)
    assert report.state == SubmissionState.ACCEPTED and report.accepted_by == users.office
    steps = list(
        AuditEvent.objects.filter(object_type="implementation.implementationreport", object_id=str(report.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert steps == [
        "implementation.save_report",
        "implementation.submit",
        "implementation.return",
        "implementation.submit",
        "implementation.approve",
        "implementation.return",
        "implementation.submit",
        "implementation.approve",
        "implementation.accept",
    ]
    # ids and counts only: the reason's words stay on the report, not in the audit log
    returned = AuditEvent.objects.filter(action="implementation.return").first()
    assert "reason" not in returned.detail and returned.detail["reason_chars"] > 0
    assert returned.detail["department"] == "health" and returned.detail["year"] == 2025


def test_wrong_roles_are_refused(health_report, users):
    report = health_report
    for user in (users.reviewer, users.education_reporter, users.office, users.leader):
        with pytest.raises(PermissionDenied):
            _fill(report, user)
    report = _fill(report, users.reporter)
    for user in (users.reviewer, users.education_reporter, users.office):
        with pytest.raises(PermissionDenied):
            actions.do_submit_report(user, report, report.version)
    report = actions.do_submit_report(users.reporter, report, report.version)
    for user in (users.reporter, users.office, users.leader):
        with pytest.raises(PermissionDenied):
            actions.do_approve_report(user, report, report.version)
    for user in (users.reporter, users.leader, users.evaluator):
        with pytest.raises(PermissionDenied):
            actions.do_return_report(user, report, report.version, "x")
    for user in (users.reporter, users.reviewer, users.leader):
        with pytest.raises(PermissionDenied):
            actions.do_accept_report(user, report, report.version)


def test_the_office_of_another_district_is_refused(health_report, users, second_district):
    report = _fill(health_report, users.reporter)
    report = actions.do_submit_report(users.reporter, report, report.version)
    with pytest.raises(PermissionDenied):
        actions.do_return_report(second_district.office, report, report.version, "x")
    with pytest.raises(PermissionDenied):
        _fill(report, second_district.reporter)  # the other district's health department


def test_steps_out_of_order_are_refused(health_report, users):
    report = _fill(health_report, users.reporter)
    with pytest.raises(actions.StaleReport):
        actions.do_approve_report(users.reviewer, report, report.version)
    with pytest.raises(actions.StaleReport):
        actions.do_accept_report(users.office, report, report.version)
    report = actions.do_submit_report(users.reporter, report, report.version)
    with pytest.raises(actions.StaleReport):
        actions.do_accept_report(users.office, report, report.version)  # not approved yet
    with pytest.raises(actions.ReportError):
        actions.do_return_report(users.reviewer, report, report.version, "   ")  # a reason is required


def test_a_version_conflict_is_refused_and_changes_nothing(health_report, users):
    seen = health_report.version
    _fill(health_report, users.reporter)
    item = health_report.items.first()
    with pytest.raises(actions.StaleReport):
        actions.do_save_report(users.reporter, health_report, seen, "另一份", {item.pk: ItemInput(work_done="覆盖")})
    health_report.refresh_from_db()
    assert health_report.summary == "全年工作总结"
    assert ReportItem.objects.get(pk=item.pk).work_done.startswith("开展工作")
    with pytest.raises(actions.StaleReport):
        actions.do_submit_report(users.reporter, health_report, seen)


def test_an_incomplete_report_cannot_be_submitted(health_report, users):
    report = _fill(health_report, users.reporter)
    item = report.items.filter(measure__isnull=False).first()
    report = actions.do_save_report(users.reporter, report, report.version, "", {item.pk: ItemInput(work_done="  ")})
    assert not is_complete(report)
    with pytest.raises(actions.IncompleteReport) as refused:
        actions.do_submit_report(users.reporter, report, report.version)
    assert len(refused.value.missing) == 1 and item.measure.title in refused.value.missing[0]
    report.refresh_from_db()
    assert report.state == SubmissionState.DRAFT


def test_a_report_is_not_editable_once_submitted_or_when_the_round_is_closed(health_report, users, round_2025):
    report = _fill(health_report, users.reporter)
    report = actions.do_submit_report(users.reporter, report, report.version)
    with pytest.raises(actions.ReportError):
        _fill(report, users.reporter)
    report = actions.do_return_report(users.reviewer, report, report.version, "重写")
    do_close_round(users.office, round_2025)
    with pytest.raises(actions.ReportError, match=r"closed|关闭"):
        _fill(report, users.reporter)
    with pytest.raises(actions.ReportError):
        actions.do_submit_report(users.reporter, report, report.version)


def test_items_of_another_report_are_refused(health_report, users, reports_2025):
    other = ImplementationReport.objects.get(round=reports_2025, department__code="education").items.first()
    with pytest.raises(actions.ReportError):
        actions.do_save_report(users.reporter, health_report, health_report.version, "", {other.pk: ItemInput()})


def test_round_rows_count_completeness_documents_and_lateness(health_report, users, reports_2025):
    import datetime

    from django.utils import timezone

    from childfirst.implementation.documents import store_document
    from tests.implementation.files import pdf_bytes, upload

    reports_2025.deadline = timezone.localdate() + datetime.timedelta(days=30)
    reports_2025.save()
    rows = {r.report.department.code: r for r in round_rows(reports_2025)}
    health = rows["health"]
    assert not health.overdue
    assert (health.filled, health.complete, health.documents, health.on_time) == (0, False, 0, None)
    assert health.items == health_report.items.count()
    report = _fill(health_report, users.reporter)
    store_document("report", report, upload("a.pdf", pdf_bytes()), users.reporter)
    actions.do_submit_report(users.reporter, report, report.version)
    health = next(r for r in round_rows(reports_2025) if r.report.department.code == "health")
    assert (health.filled, health.complete, health.documents, health.on_time, health.overdue) == (
        health.items,
        True,
        1,
        True,
        False,
    )
    # submitted after the deadline: late; a draft after the deadline: overdue
    ImplementationReport.objects.filter(pk=report.pk).update(submitted_at=timezone.now() + datetime.timedelta(days=400))
    reports_2025.deadline = timezone.localdate() - datetime.timedelta(days=1)
    rows = {r.report.department.code: r for r in round_rows(reports_2025)}
    assert rows["health"].on_time is False and not rows["health"].overdue
    assert rows["education"].overdue
    assert list(rows) == sorted(rows)
