"""The implementation report's pages as a user meets them: the form keeps what was typed when refused,
funds are parsed, attachments are checked and downloaded safely, accepting asks first."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from childfirst.collection.models import SubmissionState
from childfirst.implementation.models import Document, ImplementationReport
from childfirst.implementation.reports import items_of
from tests.implementation.files import docx_bytes, exe_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db
PLAN = "lucheng-2021-2025"


def _url(report, name="implementation:report", *extra):
    return reverse(name, args=[PLAN, report.pk, *extra])


def _post_form(report, **typed) -> dict:
    data = {"version": str(report.version), "summary": "总结"}
    for item in items_of(report):
        data[f"item-{item.pk}-work_done"] = f"工作{item.pk}"
        data[f"item-{item.pk}-funds_budgeted"] = "1,200.5"
        data[f"item-{item.pk}-funds_spent"] = "1000万元"
    data.update(typed)
    return data


def test_the_reporter_saves_the_form(client: Client, users, health_report):
    client.force_login(users.reporter)
    page = client.get(_url(health_report))
    assert page.status_code == 200 and b'name="summary"' in page.content
    response = client.post(_url(health_report), _post_form(health_report))
    assert response.status_code == 302
    health_report.refresh_from_db()
    first = items_of(health_report)[0]
    assert health_report.summary == "总结" and health_report.version == 2
    assert (first.funds_budgeted, first.funds_spent) == (Decimal("1200.50"), Decimal("1000.00"))


def test_a_refused_form_keeps_what_was_typed_and_names_item_and_field(client: Client, users, health_report):
    client.force_login(users.reporter)
    item = items_of(health_report)[0]
    data = _post_form(health_report, **{f"item-{item.pk}-funds_spent": "约五十", f"item-{item.pk}-results": "已完成"})
    with translation.override("en"):
        response = client.post(_url(health_report), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    page = response.content.decode()
    assert "约五十" in page and "已完成" in page and f"工作{item.pk}" in page  # nothing typed is lost
    assert f'href="#item-{item.pk}-funds_spent"' in page
    health_report.refresh_from_db()
    assert health_report.version == 1 and health_report.summary == ""  # nothing saved


def test_a_stale_form_is_refused_with_the_input_kept(client: Client, users, health_report):
    client.force_login(users.reporter)
    data = _post_form(health_report)
    client.post(_url(health_report), data)
    data["summary"] = "第二次的文字"
    response = client.post(_url(health_report), data)
    assert response.status_code == 409 and "第二次的文字" in response.content.decode()


def test_others_see_no_form(client: Client, users, health_report):
    client.force_login(users.reviewer)
    page = client.get(_url(health_report))
    assert page.status_code == 200 and b'name="summary"' not in page.content
    assert client.post(_url(health_report), _post_form(health_report)).status_code == 403


def test_submit_approve_accept_through_the_pages(client: Client, users, health_report):
    client.force_login(users.reporter)
    client.post(_url(health_report), _post_form(health_report))
    health_report.refresh_from_db()
    client.post(_url(health_report, "implementation:report_step", "submit"), {"version": health_report.version})
    health_report.refresh_from_db()
    assert health_report.state == SubmissionState.SUBMITTED
    client.force_login(users.reviewer)
    client.post(_url(health_report, "implementation:report_step", "approve"), {"version": health_report.version})
    health_report.refresh_from_db()
    assert health_report.state == SubmissionState.APPROVED
    client.force_login(users.office)
    accept = _url(health_report, "implementation:report_step", "accept")
    asked = client.post(accept, {"version": health_report.version})
    assert asked.status_code == 400 and "confirmed" in asked.content.decode()  # the confirmation step
    health_report.refresh_from_db()
    assert health_report.state == SubmissionState.APPROVED
    client.post(accept, {"version": health_report.version, "confirmed": "yes"})
    health_report.refresh_from_db()
    assert health_report.state == SubmissionState.ACCEPTED
    # read by a leader now, without a form
    client.force_login(users.leader)
    page = client.get(_url(health_report)).content.decode()
    assert f"工作{items_of(health_report)[0].pk}" in page and 'name="summary"' not in page


def test_return_needs_a_reason_and_shows_it(client: Client, users, health_report):
    client.force_login(users.reporter)
    client.post(_url(health_report), _post_form(health_report))
    health_report.refresh_from_db()
    client.post(_url(health_report, "implementation:report_step", "submit"), {"version": health_report.version})
    health_report.refresh_from_db()
    client.force_login(users.reviewer)
    step = _url(health_report, "implementation:report_step", "return")
    client.post(step, {"version": health_report.version, "reason": ""})
    health_report.refresh_from_db()
    assert health_report.state == SubmissionState.SUBMITTED
    client.post(step, {"version": health_report.version, "reason": "请补充经费明细"})
    client.force_login(users.reporter)
    assert "请补充经费明细" in client.get(_url(health_report)).content.decode()


def test_attachments_through_the_page(client: Client, users, health_report):
    client.force_login(users.reporter)
    attach = _url(health_report, "implementation:attach")
    client.post(attach, {"file": upload("证明材料.pdf", pdf_bytes())})
    client.post(attach, {"file": upload("工具.pdf", exe_bytes())})
    client.post(attach, {"file": upload("说明.docx", docx_bytes())})
    documents = list(Document.objects.filter(report=health_report).order_by("id"))
    assert [d.name for d in documents] == ["证明材料.pdf", "说明.docx"]
    page = client.get(_url(health_report)).content.decode()
    assert "工具.pdf" in page  # the refusal names the file
    download = client.get(reverse("implementation:document", args=[PLAN, documents[0].pk]))
    assert download.status_code == 200 and download.content == pdf_bytes()
    assert download["Content-Type"] == "application/pdf"
    assert (
        download["Content-Disposition"].startswith("attachment;")
        and "filename*=utf-8''" in download["Content-Disposition"]
    )
    assert download["X-Content-Type-Options"] == "nosniff"
    remove = _url(health_report, "implementation:remove_document", documents[0].pk)
    assert client.post(remove).status_code == 400  # asks first
    client.post(remove, {"confirmed": "yes"})
    assert list(Document.objects.filter(report=health_report).values_list("name", flat=True)) == ["说明.docx"]


def test_attachments_are_refused_once_submitted(client: Client, users, health_report):
    client.force_login(users.reporter)
    client.post(_url(health_report), _post_form(health_report))
    health_report.refresh_from_db()
    client.post(_url(health_report, "implementation:report_step", "submit"), {"version": health_report.version})
    response = client.post(_url(health_report, "implementation:attach"), {"file": upload("a.pdf", pdf_bytes())})
    assert response.status_code == 403 and not Document.objects.filter(report=health_report).exists()


def test_the_round_page_figures(client: Client, users, health_report, reports_2025):
    client.force_login(users.office)
    page = client.get(reverse("implementation:round", args=[PLAN, 2025])).content.decode()
    departments = ImplementationReport.objects.filter(round=reports_2025).count()
    assert f"0 / {departments}" in page  # none submitted, none complete, none accepted
    # the deadline (2026-03-31) has passed in the tests' clock: every draft is overdue
    assert page.count("tag warn") >= departments


def test_the_home_page_and_the_navigation_lead_to_the_report(client: Client, users, health_report, reports_2025):
    from childfirst.implementation import report_actions as actions

    report_url = _url(health_report)
    client.force_login(users.reporter)
    home = client.get("/").content.decode()
    assert report_url in home  # the draft waits for its reporter
    assert reverse("implementation:reports", args=[PLAN]) in home  # the navigation
    assert client.get(reverse("implementation:reports", args=[PLAN])).url == reverse(
        "implementation:round", args=[PLAN, 2025]
    )
    client.force_login(users.education_reporter)
    assert report_url not in client.get("/").content.decode()
    client.force_login(users.reporter)
    client.post(report_url, _post_form(health_report))
    health_report.refresh_from_db()
    actions.do_submit_report(users.reporter, health_report, health_report.version)
    client.force_login(users.reviewer)
    assert report_url in client.get("/").content.decode()
    client.force_login(users.office)
    assert report_url not in client.get("/").content.decode()  # not approved yet
    health_report.refresh_from_db()
    actions.do_approve_report(users.reviewer, health_report, health_report.version)
    assert report_url in client.get("/").content.decode()
    # collection's round page links to the year's implementation reports
    round_page = client.get(reverse("collection:round", args=[PLAN, 2025])).content.decode()
    assert reverse("implementation:round", args=[PLAN, 2025]) in round_page


def test_the_office_opens_the_year_from_the_round_page(client: Client, users, round_2025):
    url = reverse("implementation:round", args=[PLAN, 2025])
    client.force_login(users.office)
    page = client.get(url).content.decode()
    assert reverse("implementation:open_reports", args=[PLAN, 2025]) in page
    assert client.post(reverse("implementation:open_reports", args=[PLAN, 2025])).status_code == 302
    assert ImplementationReport.objects.filter(round=round_2025).exists()
    # every department has its report now: no button any more
    assert reverse("implementation:open_reports", args=[PLAN, 2025]) not in client.get(url).content.decode()
