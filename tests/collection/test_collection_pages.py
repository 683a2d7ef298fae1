"""Collection in the browser's terms (Django test client): entry page, save draft with errors kept,
workflow buttons, completeness and overdue, history, rules; refused for wrong roles and departments."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.conf import settings
from django.core import mail

from childfirst.accounts.models import AuditEvent
from childfirst.collection import actions
from childfirst.collection.models import DataValue

from .test_collection_workflow import fill_everything

COLLECTION = "/plans/lucheng-2021-2025/collection"
ENTRY = f"{COLLECTION}/rounds/2025/health/"


def form_data(page_context, **values: str) -> dict[str, str]:
    """What the browser would post back: every field as rendered, with `values` typed over them."""
    data = {}
    for block in page_context["form"].blocks:
        for row in block.rows:
            data[f"{row.key}|version"] = str(row.version)
            for part, typed in row.typed.items():
                data[f"{row.key}|{part}"] = typed
    data.update(values)
    return data


@pytest.mark.django_db
class TestEntryPage:
    def test_reporter_saves_a_draft(self, client, users, health):
        client.force_login(users.reporter)
        page = client.get(ENTRY)
        assert page.status_code == 200
        body = page.content.decode()
        assert "新生儿访视率" in body and "五马街道" in body and "保存草稿" in body
        data = form_data(
            page.context, **{"HEA-04|330302001|numerator": "９２０", "HEA-04|330302001|denominator": "1,000"}
        )
        response = client.post(ENTRY, data)
        assert response.status_code == 302
        value = DataValue.objects.get(submission=health, indicator__code="HEA-04", area__code="330302001")
        assert value.value == 92 and value.channel == "web"
        follow = client.get(ENTRY).content.decode()
        assert "已保存草稿" in follow

    def test_errors_are_shown_at_the_cell_and_what_was_typed_is_kept(self, client, users, health):
        client.force_login(users.reporter)
        data = form_data(
            client.get(ENTRY).context,
            **{
                "HEA-04|330302001|numerator": "1200",
                "HEA-04|330302001|denominator": "1000",
                "HEA-04|330302002|numerator": "九百",
                "HEA-04|330302002|denominator": "1000",
                "HEA-04|330302003|numerator": "950",
                "HEA-04|330302003|denominator": "1000",
            },
        )
        response = client.post(ENTRY, data)
        assert response.status_code == 422
        body = response.content.decode()
        assert "分子（1200）大于分母（1000）" in body and "九百 不是数字" in body
        assert 'value="九百"' in body and 'value="950"' in body  # nothing typed is lost
        # The valid row beside them is saved; the two bad ones wait, as typed, for the reporter.
        saved = DataValue.objects.filter(submission=health)
        assert [(v.area.code, v.value) for v in saved] == [("330302003", 95)]

    def test_read_only_for_reviewer_office_and_leader(self, client, users, health):
        for user in (users.reviewer, users.office, users.leader, users.evaluator):
            client.force_login(user)
            page = client.get(ENTRY)
            assert page.status_code == 200
            assert "保存草稿" not in page.content.decode()
            assert client.post(ENTRY, {"HEA-01|330302|value": "1"}).status_code == 403

    def test_other_departments_and_registry_roles_are_refused(self, client, users, health):
        for user in (users.education_reporter, users.supervisor, users.director):
            client.force_login(user)
            assert client.get(ENTRY).status_code == 403
            assert client.post(f"{ENTRY}do/submit/", {"version": "1"}).status_code == 403
            assert client.get(f"{COLLECTION}/rounds/2025/health/history/HEA-04/330302001/").status_code == 403
        client.force_login(users.supervisor)
        assert client.get(f"{COLLECTION}/").status_code == 403
        assert client.get(f"{COLLECTION}/rounds/2025/").status_code == 403
        assert client.get(f"{COLLECTION}/rules/").status_code == 403


@pytest.mark.django_db
class TestWorkflowPages:
    def test_submit_approve_accept_through_the_buttons(self, client, users, health):
        fill_everything(health, users.reporter)
        health.refresh_from_db()
        client.force_login(users.reporter)
        client.post(f"{ENTRY}do/submit/", {"version": health.version})
        health.refresh_from_db()
        assert health.state == "submitted"

        client.force_login(users.reviewer)
        assert "审核通过" in client.get(ENTRY).content.decode()
        client.post(f"{ENTRY}do/approve/", {"version": health.version})
        health.refresh_from_db()
        assert health.state == "approved"

        client.force_login(users.office)
        client.post(f"{ENTRY}do/accept/", {"version": health.version})
        health.refresh_from_db()
        assert health.state == "accepted"
        body = client.get(ENTRY).content.decode()
        assert "妇儿工委办已接收" in body and "重新开放以更正" in body

    def test_a_stale_button_is_refused_and_explained(self, client, users, health):
        fill_everything(health, users.reporter)
        health.refresh_from_db()
        old_version = health.version
        actions.do_submit(users.reporter, health, old_version)
        client.force_login(users.reviewer)
        response = client.post(f"{ENTRY}do/approve/", {"version": old_version}, follow=True)
        assert "其他人已更改了这份填报" in response.content.decode()
        health.refresh_from_db()
        assert health.state == "submitted"

    def test_submit_blocked_lists_what_is_missing(self, client, users, health):
        client.force_login(users.reporter)
        response = client.post(f"{ENTRY}do/submit/", {"version": health.version}, follow=True)
        body = response.content.decode()
        assert "暂不能提交" in body and "未填数值，也未说明暂缺原因" in body
        health.refresh_from_db()
        assert health.state == "draft"

    def test_value_history_page(self, client, users, health):
        fill_everything(health, users.reporter)
        client.force_login(users.reporter)
        data = form_data(
            client.get(ENTRY).context,
            **{"HEA-04|330302001|numerator": "90", "HEA-04|330302001|denominator": "100"},
        )
        client.post(ENTRY, data)
        page = client.get(f"{COLLECTION}/rounds/2025/health/history/HEA-04/330302001/").content.decode()
        assert "网页填报" in page and "草稿" in page
        assert "95" in page and "90" in page  # old → new
        assert "reporter" in page


@pytest.mark.django_db
class TestRoundPages:
    def test_office_opens_and_closes_a_round(self, client, users, plan):
        client.force_login(users.office)
        response = client.post(f"{COLLECTION}/rounds/open/", {"year": "2024", "deadline": "2025-03-31"}, follow=True)
        assert "2024 年填报轮次已开启" in response.content.decode()
        # Closing goes through the confirmation step: without it nothing changes.
        step = client.post(f"{COLLECTION}/rounds/2024/state/", {"step": "close"})
        assert step.status_code == 400 and 'name="confirmed"' in step.content.decode()
        assert plan.rounds.get(year=2024).state == "open"
        dialog = client.post(f"{COLLECTION}/rounds/2024/state/", {"step": "close"}, headers={"X-Confirm-Step": "1"})
        assert dialog.status_code == 200 and "个部门尚未接收" in dialog.content.decode()
        client.post(f"{COLLECTION}/rounds/2024/state/", {"step": "close", "confirmed": "yes"})
        assert plan.rounds.get(year=2024).state == "closed"
        bad = client.post(f"{COLLECTION}/rounds/open/", {"year": "2024", "deadline": "soon"}, follow=True)
        assert "截止日期" in bad.content.decode()

    def test_only_the_office_opens_closes_and_reminds(self, client, users, round_2025):
        for user in (users.reporter, users.reviewer, users.leader, users.evaluator):
            client.force_login(user)
            assert (
                client.post(f"{COLLECTION}/rounds/open/", {"year": "2024", "deadline": "2025-03-31"}).status_code == 403
            )
            assert (
                client.post(f"{COLLECTION}/rounds/2025/state/", {"step": "close", "confirmed": "yes"}).status_code
                == 403
            )

    def test_completeness_and_overdue_with_reminders(self, client, users, round_2025, health):
        users.reporter.email = "reporter@example.org"
        users.reporter.save()
        fill_everything(health, users.reporter)
        client.force_login(users.office)
        page = client.get(f"{COLLECTION}/rounds/2025/").content.decode()
        assert "按部门" in page and "区卫健局" in page and "按街镇" in page and "五马街道" in page
        round_2025.deadline = datetime.date(2020, 1, 1)
        round_2025.save()
        page = client.get(f"{COLLECTION}/rounds/2025/").content.decode()
        assert "逾期" in page
        client.post(f"{COLLECTION}/rounds/2025/state/", {"step": "remind"})
        assert len(mail.outbox) == 1 and "区卫健局" in mail.outbox[0].subject
        assert mail.outbox[0].to == ["reporter@example.org"]

    def test_round_list_and_rules_page(self, client, users, round_2025):
        client.force_login(users.evaluator)
        assert "2025" in client.get(f"{COLLECTION}/").content.decode()
        rules = client.get(f"{COLLECTION}/rules/").content.decode()
        assert "同比变化异常" in rules and "1.4826" in rules and "街镇数值明显偏离" in rules
        assert "yoy_change" not in rules and "min_history" not in rules  # names in words, not codes

    def test_round_page_lists_only_own_department_links_for_department_users(self, client, users, round_2025):
        client.force_login(users.reporter)
        page = client.get(f"{COLLECTION}/rounds/2025/").content.decode()
        assert f'href="{COLLECTION}/rounds/2025/health/"' in page
        assert f'href="{COLLECTION}/rounds/2025/education/"' not in page


@pytest.mark.django_db
def test_round_csv_download_for_the_office(client, users, health):
    fill_everything(health, users.reporter)
    client.force_login(users.office)
    response = client.get(f"{COLLECTION}/rounds/2025/values.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the file as UTF-8
    text = response.content.decode("utf-8-sig")
    assert "HEA-04" in text and "330302001" in text
    assert AuditEvent.objects.filter(action="collection.export_csv", actor=users.office).exists()
    rows = list(csv.reader(io.StringIO(text)))
    # A Chinese reader gets Chinese headers and words for the codes (the command keeps COLUMNS).
    assert rows[0][:3] == ["年份", "指标代码", "指标"] and "由街镇汇总的全区值" in rows[0]
    state, derived, channel = (rows[0].index(h) for h in ("填报状态", "由街镇汇总的全区值", "渠道"))
    assert {r[derived] for r in rows[1:]} <= {"是", "否"}
    assert "web" not in {r[channel] for r in rows[1:]} and "草稿" in {r[state] for r in rows[1:]}
    # An English reader gets English ones.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(f"{COLLECTION}/rounds/2025/values.csv").content
    assert english.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(english.decode("utf-8-sig"))))
    assert header[:3] == ["Year", "Indicator code", "Indicator"] and "Derived district total" in header
