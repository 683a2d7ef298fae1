"""Mandatory reports (强制报告, 未成年人保护法 Art. 11): the anonymous intake writes and reveals nothing,
is CSRF-protected and rate-limited; reports are routed to the right street's supervisor with a
deadline by urgency, escalated when it passes, and linked to an existing file by ID number."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from childfirst.accounts.models import AuditEvent
from childfirst.areas.models import Area
from childfirst.registry.casework.visits import current_policy
from childfirst.registry.children.idnumber import check_character
from childfirst.registry.mandatory import actions
from childfirst.registry.mandatory.intake import countdown
from childfirst.registry.models import AccessAction, ChildAccessLog, MandatoryReport, ReportState, Task, TaskKind

from .test_registry_casework import make_child

WUMA_1, WUMA_2 = "330302001001", "330302001002"


def id_number(birth: str = "20150301", sequence: str = "123") -> str:
    first17 = "330302" + birth + sequence
    return first17 + check_character(first17)


def form_data(**overrides) -> dict:
    data = {
        "reporter_institution": "五马小学",
        "reporter_kind": "school",
        "reporter_name": "林老师",
        "reporter_phone": "13800000000",
        "child_name": "王小明",
        "child_age": "10",
        "child_sex": "male",
        "child_id_number": "",
        "community": str(Area.objects.get(code=WUMA_2).pk),
        "concerns": ["violence"],
        "description": "学生手臂多处淤青，称被继父殴打。",
        "urgency": "urgent",
    }
    data.update(overrides)
    return data


def file_report(actor=None, *, now=None, community=WUMA_2, urgency="urgent", **extra) -> MandatoryReport:
    fields = {
        "reporter_institution": "五马小学",
        "reporter_kind": "school",
        "reporter_name": "林老师",
        "reporter_phone": "13800000000",
        "child_name": "王小明",
        "child_age": 10,
        "child_sex": "male",
        "community": Area.objects.get(code=community) if community else None,
        "concerns": ["neglect"],
        "description": "长期无人接送，衣着单薄。",
        "urgency": urgency,
    }
    fields.update(extra)
    return actions.do_file_mandatory_report(actor, now=now, **fields)


@pytest.mark.django_db
class TestPublicIntake:
    def test_anonymous_intake_writes_and_reveals_nothing(self, users):
        known = make_child(users.director, name="王小明", id_number=id_number())
        client = Client()
        page = client.get("/registry/report/")
        assert page.status_code == 200
        assert "王小明" not in page.content.decode()
        response = client.post(
            "/registry/report/", form_data(child_id_number=id_number(), community=str(known.residence_area.pk))
        )
        assert response.status_code == 302 and response.url == "/registry/report/received/"
        report = MandatoryReport.objects.get()
        assert (report.channel, report.submitted_by, report.street.code) == ("public", None, "330302001")
        assert report.child is None  # matching is for the supervisor, never at intake
        receipt = client.get(response.url).content.decode()
        assert report.receipt_number in receipt
        assert "王小明" not in receipt and "继父" not in receipt and "/registry/children/" not in receipt
        # A report about a child nobody knows gets the very same answer.
        other = Client().post(
            "/registry/report/", form_data(child_name="无名", child_id_number=id_number(sequence="125"))
        )
        assert other.status_code == 302 and other.url == response.url

    def test_the_id_number_is_stored_encrypted_and_masked(self):
        number = id_number()
        Client().post("/registry/report/", form_data(child_id_number=number))
        report = MandatoryReport.objects.get()
        assert report.child_id_masked == number[:4] + "*" * 14
        assert number.encode() not in bytes(report.child_id_ciphertext)
        audit = json.dumps(
            [e.detail for e in AuditEvent.objects.filter(action="registry.report_file")], ensure_ascii=False
        )
        assert number not in audit and "王小明" not in audit and "林老师" not in audit

    def test_bad_input_keeps_what_was_typed_and_saves_nothing(self):
        response = Client().post("/registry/report/", form_data(child_id_number="330302201503011239", concerns=[]))
        page = response.content.decode()
        assert response.status_code == 200
        assert "学生手臂多处淤青" in page and "五马小学" in page
        assert page.count('class="field-error"') == 2
        assert not MandatoryReport.objects.exists()

    def test_csrf_is_required(self):
        client = Client(enforce_csrf_checks=True)
        assert client.post("/registry/report/", form_data()).status_code == 403
        client.get("/registry/report/")
        token = client.cookies["csrftoken"].value
        assert client.post("/registry/report/", {**form_data(), "csrfmiddlewaretoken": token}).status_code == 302
        assert MandatoryReport.objects.count() == 1

    def test_rate_limit_per_ip(self):
        limit = current_policy().mandatory_reports.intake_limit.per_ip
        client = Client(REMOTE_ADDR="203.0.113.7")
        for _ in range(limit):
            assert client.post("/registry/report/", form_data()).status_code == 302
        refused = client.post("/registry/report/", form_data(reporter_institution="鹿城第二中学"))
        assert refused.status_code == 429
        assert "鹿城第二中学" in refused.content.decode()  # the form is given back, filled in
        assert MandatoryReport.objects.count() == limit
        # Another address is not affected.
        assert Client(REMOTE_ADDR="203.0.113.8").post("/registry/report/", form_data()).status_code == 302

    def test_signed_in_users_use_the_same_form(self, client, users):
        client.force_login(users.director)
        assert client.get("/registry/report/").status_code == 200
        client.post("/registry/report/", form_data(reporter_name="主任本人"))
        report = MandatoryReport.objects.get()
        assert (report.channel, report.submitted_by) == ("signed_in", users.director)


@pytest.mark.django_db
class TestRoutingAndDeadlines:
    def test_routed_to_the_supervisor_of_the_communitys_street(self, client, users):
        report = file_report(community=WUMA_2)
        client.force_login(users.supervisor)
        assert report.receipt_number in client.get("/registry/reports/").content.decode()
        assert report.receipt_number in client.get("/registry/supervision/").content.decode()
        assert client.get(f"/registry/reports/{report.pk}/").status_code == 200
        assert ChildAccessLog.objects.filter(user=users.supervisor, action=AccessAction.VIEW, child=None).exists()
        for outsider in (users.other_supervisor, users.director, users.reporter):
            client.force_login(outsider)
            # the director and the reporter are refused the page (403); the other supervisor is out of scope (404)
            expected = 404 if outsider == users.other_supervisor else 403
            assert client.get(f"/registry/reports/{report.pk}/").status_code == expected
        client.force_login(users.other_supervisor)
        assert report.receipt_number not in client.get("/registry/reports/").content.decode()

    def test_deadline_by_urgency(self):
        now = timezone.now()
        hours = current_policy().mandatory_reports.triage_hours
        urgent = file_report(now=now, urgency="urgent")
        normal = file_report(now=now, urgency="normal")
        assert urgent.triage_due_at == now + datetime.timedelta(hours=hours.urgent)
        assert normal.triage_due_at == now + datetime.timedelta(hours=hours.normal)
        left = countdown(urgent, now + datetime.timedelta(hours=1))
        assert (left.hours, left.overdue) == (hours.urgent - 1, False)

    def test_escalation_when_the_deadline_passes(self, client, users):
        hours = current_policy().mandatory_reports.triage_hours.urgent
        received = timezone.now() - datetime.timedelta(hours=hours + 5)
        late = file_report(now=received)
        within = file_report(now=timezone.now())
        assert actions.escalate_overdue_reports() == 1
        assert actions.escalate_overdue_reports() == 0  # once only
        late.refresh_from_db()
        within.refresh_from_db()
        assert late.escalated_at is not None and within.escalated_at is None
        task = Task.objects.get(report=late)
        assert (task.kind, task.street.code) == (TaskKind.REPORT_ESCALATED, "330302001")
        audit = AuditEvent.objects.get(action="registry.report_escalate")
        assert audit.actor is None and audit.detail["hours_late"] == pytest.approx(5, abs=0.1)

        client.force_login(users.office)
        page = client.get("/registry/reports/").content.decode()
        assert late.receipt_number in page and within.receipt_number not in page
        assert "王小明" not in page and "林老师" not in page and "继父" not in page
        assert client.get(f"/registry/reports/{late.pk}/").status_code == 403
        client.force_login(users.supervisor)
        dashboard = client.get("/registry/supervision/").content.decode()
        assert late.receipt_number in dashboard and 'class="overdue"' in dashboard

    def test_escalation_by_the_command_and_on_page_view(self, client, users, capsys):
        hours = current_policy().mandatory_reports.triage_hours.normal
        file_report(now=timezone.now() - datetime.timedelta(hours=hours + 1), urgency="normal")
        call_command("registry_escalate")
        assert "1" in capsys.readouterr().out
        second = file_report(now=timezone.now() - datetime.timedelta(hours=hours + 1), urgency="normal")
        client.force_login(users.supervisor)
        client.get("/registry/supervision/")
        second.refresh_from_db()
        assert second.escalated_at is not None

    def test_a_triaged_report_is_not_escalated(self, users):
        hours = current_policy().mandatory_reports.triage_hours.urgent
        report = file_report(now=timezone.now() - datetime.timedelta(hours=hours - 1))
        actions.do_record_report_step(users.supervisor, report, actions=["police_informed"], note="已报110")
        assert actions.escalate_overdue_reports(now=timezone.now() + datetime.timedelta(hours=2)) == 0


@pytest.mark.django_db
class TestTriage:
    def test_link_to_an_existing_file_by_id_number(self, client, users):
        child = make_child(users.director, name="王晓明", id_number=id_number())
        report = file_report(child_id_number=id_number(), child_name="王小明")  # the reporter misspelt the name
        client.force_login(users.supervisor)
        page = client.get(f"/registry/reports/{report.pk}/").content.decode()
        assert "王晓明" in page and f'name="child" value="{child.pk}"' in page
        client.post(f"/registry/reports/{report.pk}/triage/", {"step": "link", "child": child.pk})
        report.refresh_from_db()
        assert (report.child, report.state, report.triaged_by) == (child, ReportState.IN_PROGRESS, users.supervisor)
        assert AuditEvent.objects.get(action="registry.report_link").detail["by_id_number"] is True

    def test_suggestions_by_name_within_the_street(self, client, users):
        same_name = make_child(users.director, name="王小明")
        other_street = make_child(users.other_supervisor, community="330302002001", name="王小明")
        report = file_report()
        client.force_login(users.supervisor)
        page = client.get(f"/registry/reports/{report.pk}/").content.decode()
        assert f'value="{same_name.pk}"' in page and f'value="{other_street.pk}"' not in page
        # Linking a file the supervisor does not keep is refused.
        assert (
            client.post(
                f"/registry/reports/{report.pk}/triage/", {"step": "link", "child": other_street.pk}
            ).status_code
            == 403
        )

    def test_the_matcher_suggests_a_homophone_name_in_the_reported_community(self, client, users):
        """A reporter who heard the name writes 王小鸣 for the file's 王小明: the linkage matcher still
        offers the file (the name search on characters would not), and never one outside the scope."""
        same_child = make_child(users.other_director, community=WUMA_2, name="王小明")
        report = file_report(child_name="王小鸣")
        client.force_login(users.supervisor)
        page = client.get(f"/registry/reports/{report.pk}/").content.decode()
        assert f'name="child" value="{same_child.pk}"' in page

    def test_a_new_file_from_the_report(self, client, users):
        report = file_report(child_id_number=id_number(sequence="222"), child_sex="female", child_name="李娜")
        client.force_login(users.supervisor)
        response = client.post(
            f"/registry/reports/{report.pk}/triage/",
            {
                "step": "new_file",
                "name": "李娜",
                "sex": "female",
                "birth_date": "2015-03-01",
                "residence_area": Area.objects.get(code=WUMA_2).pk,
                "use_report_id": "on",
            },
        )
        assert response.status_code == 302
        report.refresh_from_db()
        assert report.child.name == "李娜" and report.child.id_hash == report.child_id_hash

    def test_actions_then_close(self, client, users):
        report = file_report()
        client.force_login(users.supervisor)
        url = f"/registry/reports/{report.pk}/triage/"
        client.post(url, {"step": "close", "note": "无需处理", "confirmed": "yes"})
        report.refresh_from_db()
        assert report.state == ReportState.AWAITING  # nothing done yet: cannot close
        bad = client.post(url, {"step": "actions", "note": "另行处理"})
        assert bad.status_code == 200 and "另行处理" in bad.content.decode()
        client.post(url, {"step": "actions", "actions": ["police_informed", "visit_arranged"], "note": "已报警"})
        unconfirmed = client.post(url, {"step": "close", "note": "公安已立案，儿童由祖母临时照料"})
        assert unconfirmed.status_code == 400 and "公安已立案" in unconfirmed.content.decode()
        report.refresh_from_db()
        assert report.state != ReportState.CLOSED
        client.post(url, {"step": "close", "note": "公安已立案，儿童由祖母临时照料", "confirmed": "yes"})
        report.refresh_from_db()
        assert report.state == ReportState.CLOSED and report.steps.get().actions == [
            "police_informed",
            "visit_arranged",
        ]
        assert client.post(url, {"step": "actions", "actions": ["other"], "note": "x"}).status_code == 200
        assert report.steps.count() == 1  # a closed report takes no more steps

    def test_only_the_streets_supervisor_triages(self, users):
        report = file_report()
        for outsider in (users.other_supervisor, users.director, users.office):
            with pytest.raises(PermissionDenied):
                actions.do_record_report_step(outsider, report, actions=["visited"])
