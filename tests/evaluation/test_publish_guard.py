"""Publishing an incomplete year: the confirmation step says what is not accepted, the server refuses
to publish without the confirmation and, when anything is outstanding, without a reason; the reason
is kept on the snapshot and in the audit row."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from childfirst.accounts.models import AuditEvent
from childfirst.collection.completeness import outstanding
from childfirst.evaluation.actions import do_publish
from childfirst.evaluation.models import Snapshot

pytestmark = pytest.mark.django_db

URL = "/plans/lucheng-2021-2025/evaluation/published/publish/"


def test_outstanding_lists_departments_streets_and_missing_values(plan, round_2025):
    missing = outstanding(plan, 2025)
    assert missing and missing.round_open
    assert {r.submission.department.code for r in missing.departments} >= {"health", "education"}
    assert missing.missing_values > 0
    assert missing.missing_values == sum(r.missing for r in missing.streets)
    assert not outstanding(plan, 2019)  # no round that year: nothing to show


def test_publishing_an_incomplete_year_needs_a_reason(users, plan, round_2025):
    with pytest.raises(ValidationError):
        do_publish(users.office, plan, 2025)
    with pytest.raises(ValidationError):
        do_publish(users.office, plan, 2025, reason="   ")
    assert not Snapshot.objects.filter(year=2025).exists()
    snapshot = do_publish(users.office, plan, 2025, reason="区政府常务会议需要中期数据")
    assert snapshot.incomplete_reason == "区政府常务会议需要中期数据"
    event = AuditEvent.objects.get(action="evaluation.publish", object_id=str(snapshot.pk))
    assert event.detail["reason"] == "区政府常务会议需要中期数据"
    assert event.detail["outstanding"]["round_open"] is True
    assert event.detail["outstanding"]["departments"]["health"] == "draft"
    assert event.detail["outstanding"]["missing_values"] == outstanding(plan, 2025).missing_values


def test_the_step_shows_what_is_missing(client, users, round_2025):
    client.force_login(users.office)
    page = client.get(URL, {"year": "2025", "note": "中期"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "区卫健局" in body and "草稿" in body
    assert 'name="reason"' in body and "required" in body
    assert 'name="confirmed" value="yes"' in body
    assert 'value="中期"' in body  # what was typed in the first form is carried
    # The dialog asks for the form alone.
    fragment = client.get(URL, {"year": "2025"}, headers={"X-Confirm-Step": "dialog"}).content.decode()
    assert fragment.lstrip().startswith("<form") and "<html" not in fragment


def test_refused_without_confirmation_or_reason_and_nothing_typed_is_lost(client, users, round_2025):
    client.force_login(users.office)
    unconfirmed = client.post(URL, {"year": "2025", "reason": "急需"})
    assert unconfirmed.status_code == 400
    assert "急需" in unconfirmed.content.decode()
    no_reason = client.post(URL, {"year": "2025", "confirmed": "yes", "note": "中期"})
    assert no_reason.status_code == 400
    body = no_reason.content.decode()
    assert 'id="confirm-reason-error"' in body and 'value="中期"' in body
    assert not Snapshot.objects.exists()
    done = client.post(URL, {"year": "2025", "confirmed": "yes", "note": "中期", "reason": "急需"})
    assert done.status_code == 302
    snapshot = Snapshot.objects.get(year=2025)
    assert (snapshot.note, snapshot.incomplete_reason) == ("中期", "急需")
    listed = client.get("/plans/lucheng-2021-2025/evaluation/published/").content.decode()
    assert "急需" in listed


def test_wrong_role_and_bad_year_are_refused(client, users, round_2025):
    for role in ("reporter", "reviewer", "leader", "evaluator", "supervisor", "director"):
        client.force_login(getattr(users, role))
        assert client.get(URL, {"year": "2025"}).status_code == 403, role
        assert client.post(URL, {"year": "2025", "confirmed": "yes", "reason": "x"}).status_code == 403, role
    client.force_login(users.office)
    assert client.get(URL, {"year": "1999"}).status_code == 302
    assert client.get(URL, {"year": "abc"}).status_code == 302
    assert not Snapshot.objects.exists()


def test_another_districts_office_cannot_publish_lucheng(client, second_district, round_2025):
    client.force_login(second_district.office)
    client.post(URL, {"year": "2025", "confirmed": "yes", "reason": "x"})
    assert not Snapshot.objects.filter(plan__code="lucheng-2021-2025").exists()


def test_final_report_card_shows_the_reason_of_an_incomplete_final_year(client, users, plan, round_2025):
    do_publish(users.office, plan, plan.end_year, reason="换届前提交终期评估")
    client.force_login(users.office)
    page = client.get("/plans/lucheng-2021-2025/reports/").content.decode()
    assert "换届前提交终期评估" in page


def test_the_console_command_needs_a_reason_too(plan, round_2025):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="health"):
        call_command("publish", "--year", "2025")
    assert not Snapshot.objects.exists()
    call_command("publish", "--year", "2025", "--reason", "区长办公会")
    assert Snapshot.objects.get(year=2025).incomplete_reason == "区长办公会"
