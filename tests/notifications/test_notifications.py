"""Notifications: each event tells the right people (and nobody else), titles and links carry no
personal data, each user reads their own, the deadline notice comes once, and e-mail goes out after
the change commits where it is configured."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from childfirst.accounts.models import Role
from childfirst.areas.models import Area
from childfirst.collection.actions import do_approve, do_open_round, do_return
from childfirst.collection.models import Submission
from childfirst.collection.notices import do_notify_deadline_near
from childfirst.notifications.actions import do_mark_all_read, do_mark_read
from childfirst.notifications.models import Kind, Notification
from childfirst.notifications.notify import notify
from childfirst.notifications.unread import UNREAD_SECONDS, unread_count
from childfirst.registry.casework.risk import load_checklist
from childfirst.registry.children.actions import do_request_grant
from childfirst.registry.mandatory import actions as mandatory_actions
from childfirst.registry.models import MandatoryReport

from ..conftest import make_user
from ..registry.test_mandatory_reports import file_report, id_number
from ..registry.test_registry_casework import assess, make_child


def kinds(user) -> list[str]:
    return list(Notification.objects.for_user(user).values_list("kind", flat=True))


@pytest.mark.django_db
class TestCollectionEvents:
    def test_round_opened_tells_each_departments_reporters(self, users, round_2025):
        assert kinds(users.reporter) == [Kind.ROUND_OPENED]
        assert kinds(users.education_reporter) == [Kind.ROUND_OPENED]
        note = Notification.objects.get(recipient=users.reporter)
        assert note.url == "/plans/lucheng-2021-2025/collection/rounds/2025/health/"
        assert "2025" in note.title
        assert kinds(users.reviewer) == [] and kinds(users.director) == []

    def test_returned_and_approved_reach_the_departments_reporters(self, users, health):
        Notification.objects.all().delete()
        # Submitting needs every value; the transition itself is what is under test here.
        Submission.objects.filter(pk=health.pk).update(state="submitted")
        health.refresh_from_db()
        do_return(users.reviewer, health, health.version, "第3行数据有误")
        assert kinds(users.reporter) == [Kind.DATA_RETURNED]
        assert kinds(users.education_reporter) == []  # another department's reporter
        note = Notification.objects.get(recipient=users.reporter)
        assert "第3行" not in note.title  # the reason is on the entry page, not in the inbox
        assert note.url == "/plans/lucheng-2021-2025/collection/rounds/2025/health/"

        Submission.objects.filter(pk=health.pk).update(state="submitted")
        health.refresh_from_db()
        do_approve(users.reviewer, health, health.version)
        assert Kind.DATA_APPROVED in kinds(users.reporter)
        assert kinds(users.office) == [Kind.DATA_APPROVED]  # it now awaits the office's acceptance

    def test_deadline_near_once_per_submission(self, users, plan):
        reporting_round = do_open_round(users.office, plan, 2024, timezone.localdate() + datetime.timedelta(days=5))
        Notification.objects.all().delete()
        today = timezone.localdate()
        assert do_notify_deadline_near(today, 3) == 0  # not yet within 3 days
        written = do_notify_deadline_near(today, 7)
        assert written >= 2
        assert kinds(users.reporter) == [Kind.DEADLINE_NEAR]
        assert do_notify_deadline_near(today, 7) == 0  # idempotent
        call_command("data_deadlines", "--days", "7", stdout=io.StringIO())
        assert kinds(users.reporter) == [Kind.DEADLINE_NEAR]
        health = reporting_round.submissions.get(department__code="health")
        assert f"deadline:{health.pk}" == Notification.objects.get(recipient=users.reporter).key

    def test_submitted_data_is_not_reminded(self, users, plan):
        today = timezone.localdate()
        reporting_round = do_open_round(users.office, plan, 2024, today + datetime.timedelta(days=2))
        Submission.objects.filter(round=reporting_round, department__code="health").update(state="submitted")
        Notification.objects.all().delete()
        do_notify_deadline_near(today, 7)
        assert kinds(users.reporter) == [] and kinds(users.education_reporter) == [Kind.DEADLINE_NEAR]

    def test_the_daily_job_tells_of_near_deadlines_and_not_of_past_ones(self, users, plan, settings):
        from childfirst.collection.tasks import deadline_notices

        settings.DEADLINE_NEAR_DAYS = 7
        today = timezone.localdate()
        do_open_round(users.office, plan, 2024, today + datetime.timedelta(days=2))
        do_open_round(users.office, plan, 2023, today - datetime.timedelta(days=1))  # past: the office reminds
        Notification.objects.all().delete()
        assert deadline_notices.call_local() >= 2
        titles = list(Notification.objects.for_user(users.reporter).values_list("title", flat=True))
        assert len(titles) == 1 and titles[0].startswith("2024 · ")


@pytest.mark.django_db
class TestRegistryEvents:
    def test_report_arrived_tells_the_streets_supervisor_and_the_office(self, users):
        report = file_report(urgency="normal", child_id_number=id_number())
        assert kinds(users.supervisor) == [Kind.REPORT_ARRIVED]
        assert kinds(users.office) == [Kind.REPORT_ARRIVED]
        assert kinds(users.other_supervisor) == [] and kinds(users.director) == []
        note = Notification.objects.get(recipient=users.supervisor)
        assert note.url == f"/registry/reports/{report.pk}/"
        assert report.receipt_number in note.title
        assert Notification.objects.get(recipient=users.office).url == "/registry/reports/"

    def test_an_unnamed_child_in_an_unknown_community_reaches_the_street_at_once(self, users):
        """The teacher's report of an abandoned infant: no name, community not known, a place described."""
        street = Area.objects.get(code="330302001")
        report = file_report(urgency="urgent", child_name="", community=None, street=street, place="公园东门长椅旁")
        assert kinds(users.supervisor) == [Kind.REPORT_HIGH_RISK] and kinds(users.other_supervisor) == []
        title = Notification.objects.get(recipient=users.supervisor).title
        assert title == f"{report.receipt_number} · {street.name}" and "公园" not in title

    def test_urgent_report_alerts_the_supervisor_at_once_by_mail(
        self, users, settings, django_capture_on_commit_callbacks
    ):
        settings.NOTIFY_EMAIL = True
        users.supervisor.email = "sup@example.org"
        users.supervisor.save()
        with django_capture_on_commit_callbacks(execute=True):
            report = file_report(urgency="urgent")
        assert kinds(users.supervisor) == [Kind.REPORT_HIGH_RISK]
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["sup@example.org"]
        assert report.receipt_number in message.subject
        for personal in ("王小明", "林老师", "13800000000", "继父", "衣着"):
            assert personal not in message.subject and personal not in message.body

    def test_no_mail_unless_configured(self, users, settings, django_capture_on_commit_callbacks):
        settings.NOTIFY_EMAIL = False
        users.supervisor.email = "sup@example.org"
        users.supervisor.save()
        with django_capture_on_commit_callbacks(execute=True):
            file_report(urgency="urgent")
        assert mail.outbox == []
        assert kinds(users.supervisor) == [Kind.REPORT_HIGH_RISK]

    def test_mail_waits_for_the_commit(self, users, settings, django_capture_on_commit_callbacks):
        settings.NOTIFY_EMAIL = True
        users.supervisor.email = "sup@example.org"
        users.supervisor.save()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            file_report(urgency="urgent")
        assert mail.outbox == [] and callbacks  # (the others forget the header's cached counts)
        for callback in callbacks:
            callback()
        assert [m.to for m in mail.outbox] == [["sup@example.org"]]

    def test_a_mail_server_down_neither_fails_nor_undoes_the_report(
        self, users, settings, django_capture_on_commit_callbacks
    ):
        settings.NOTIFY_EMAIL = True
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens on the discard port
        users.supervisor.email = "sup@example.org"
        users.supervisor.save()
        with django_capture_on_commit_callbacks(execute=True):
            report = file_report(urgency="urgent")
        assert MandatoryReport.objects.filter(pk=report.pk).exists()
        assert kinds(users.supervisor) == [Kind.REPORT_HIGH_RISK]

    def test_escalation_tells_supervisor_and_office_and_the_task_is_announced(self, users):
        report = file_report(urgency="normal")
        Notification.objects.all().delete()
        later = report.triage_due_at + datetime.timedelta(hours=1)
        assert mandatory_actions.do_escalate_report(report, now=later)
        assert sorted(kinds(users.supervisor)) == sorted([Kind.REPORT_ESCALATED, Kind.TASK_ASSIGNED])
        assert kinds(users.office) == [Kind.REPORT_ESCALATED]
        assert kinds(users.other_supervisor) == []

    def test_high_risk_assessment_task_goes_to_the_streets_supervisor(self, users):
        child = make_child(users.director, name="李小红")
        Notification.objects.all().delete()
        critical = next(i.code for i in load_checklist().items if i.critical)
        assess(users.director, child, [critical])
        assert kinds(users.supervisor) == [Kind.TASK_ASSIGNED]
        note = Notification.objects.get(recipient=users.supervisor)
        assert "李小红" not in note.title and str(child.pk) not in note.url
        assert kinds(users.other_supervisor) == [] and kinds(users.director) == []

    def test_grant_request_tells_the_office_users_who_may_decide(self, users):
        from childfirst.areas.models import Area

        office2 = make_user("office2", Role.OFFICE, area="330302")
        office3 = make_user("office3", Role.OFFICE, area="330302")
        until = timezone.now() + datetime.timedelta(days=7)
        do_request_grant(office2, users.office, Area.objects.get(code="330302001"), "专项检查", until)
        assert kinds(office3) == [Kind.GRANT_REQUESTED]
        assert kinds(office2) == [] and kinds(users.office) == []  # the requester and the one it names
        assert Notification.objects.get(recipient=office3).url == "/registry/grants/"


@pytest.mark.django_db
class TestNoPersonalData:
    def test_titles_and_links_name_no_child(self, users):
        number = id_number("20150301", "457")  # odd: a boy, born as make_child's default
        child = make_child(users.director, name="赵小刚", id_number=number)
        file_report(urgency="urgent", child_name="赵小刚", child_id_number=number)
        critical = next(i.code for i in load_checklist().items if i.critical)
        assess(users.director, child, [critical])
        notes = list(Notification.objects.all())
        assert notes
        for note in notes:
            text = note.title + note.url
            assert "赵小刚" not in text and "20150301" not in text and number not in text

    def test_links_stay_inside_the_app(self, users):
        for url in ("https://elsewhere.example/", "//elsewhere.example/x", "relative/path"):
            with pytest.raises(ValueError):
                notify([users.office], Kind.TASK_ASSIGNED, "x", url)


@pytest.mark.django_db
class TestReading:
    def test_each_user_reads_their_own(self, users, client):
        notify([users.supervisor, users.other_supervisor], Kind.TASK_ASSIGNED, "#1 五马街道", "/registry/supervision/")
        mine = Notification.objects.get(recipient=users.supervisor)
        theirs = Notification.objects.get(recipient=users.other_supervisor)
        do_mark_read(users.supervisor, mine)
        mine.refresh_from_db()
        theirs.refresh_from_db()
        assert mine.is_read and not theirs.is_read

        client.force_login(users.supervisor)
        assert client.post(f"/inbox/{theirs.pk}/read/").status_code == 404  # another's: as if missing
        theirs.refresh_from_db()
        assert not theirs.is_read

    def test_inbox_page_marks_one_and_all(self, users, client):
        for n in range(3):
            notify([users.reporter], Kind.ROUND_OPENED, f"202{n} · 卫健局", "/collection/")
        notify([users.reviewer], Kind.ROUND_OPENED, "2025 · 卫健局", "/collection/")
        client.force_login(users.reporter)
        page = client.get("/inbox/").content.decode()
        assert page.count('class="inbox-item unread"') == 3
        assert 'class="inbox-count">3<' in page  # the bell in the header
        first = Notification.objects.for_user(users.reporter).first()
        assert client.post(f"/inbox/{first.pk}/read/").status_code == 302
        assert Notification.objects.for_user(users.reporter).unread().count() == 2
        assert client.post("/inbox/read-all/").status_code == 302
        assert Notification.objects.for_user(users.reporter).unread().count() == 0
        assert Notification.objects.for_user(users.reviewer).unread().count() == 1  # not the reviewer's
        assert client.get("/inbox/read-all/").status_code == 405

    def test_mark_all_returns_count(self, users):
        notify([users.leader], Kind.ROUND_OPENED, "2025", "/collection/")
        assert do_mark_all_read(users.leader) == 1
        assert do_mark_all_read(users.leader) == 0

    def test_the_headers_cached_count_follows_arrivals_and_reading(
        self, users, client, django_assert_num_queries, django_capture_on_commit_callbacks
    ):
        """The bell's count is kept for a minute (notifications/unread.py), and forgotten whenever a
        notice arrives or is read, so the header never shows a stale count after either."""
        client.force_login(users.reporter)

        def bell() -> str:
            page = client.get("/inbox/").content.decode()
            start = page.index('class="inbox-bell')
            return page[start : page.index("</a>", start)]

        assert "inbox-count" not in bell()
        assert unread_count(users.reporter) == 0
        with django_assert_num_queries(0):
            assert unread_count(users.reporter) == 0  # from the cache
        with django_capture_on_commit_callbacks(execute=True):
            notify([users.reporter, users.reviewer], Kind.ROUND_OPENED, "2025 · 卫健局", "/collection/")
        assert 'class="inbox-count">1<' in bell()
        with django_capture_on_commit_callbacks(execute=True):
            notify([users.reporter], Kind.ROUND_OPENED, "2026 · 卫健局", "/collection/")
        assert 'class="inbox-count">2<' in bell()
        with django_capture_on_commit_callbacks(execute=True):
            do_mark_read(users.reporter, Notification.objects.for_user(users.reporter).first())
        assert 'class="inbox-count">1<' in bell()
        assert client.post("/inbox/read-all/").status_code == 302
        assert "inbox-count" not in bell()
        assert unread_count(users.reviewer) == 1  # the other recipient's own count

    def test_a_cached_count_ends_with_its_minute(self, users):
        """A change made outside notify and the mark-read actions (a restore) shows within the minute."""
        assert UNREAD_SECONDS <= 60
        notify([users.leader], Kind.ROUND_OPENED, "2025", "/collection/")
        assert unread_count(users.leader) == 1
        Notification.objects.for_user(users.leader).update(read_at=timezone.now())  # behind its back
        assert unread_count(users.leader) == 1
        cache.delete(f"notifications:unread:{users.leader.pk}")  # what the minute's end does
        assert unread_count(users.leader) == 0
