"""Evaluation over the demo's accepted data: dashboards, downloads, access by role and area,
`childfirst evaluate`, and published snapshots with versions and their differences."""

from __future__ import annotations

import csv
import io
import json
import re

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from childfirst.accounts.models import AuditEvent
from childfirst.collection.models import DataValue
from childfirst.evaluation.actions import do_publish
from childfirst.evaluation.data import evaluate_plan
from childfirst.evaluation.diff import diff_snapshots
from childfirst.evaluation.models import Snapshot
from childfirst.plans.models import Plan

PAGES = [
    "/plans/lucheng-2021-2025/evaluation/?year=2024",
    "/plans/lucheng-2021-2025/evaluation/domains/health/?year=2024",
    "/plans/lucheng-2021-2025/evaluation/indicators/HEA-04/?year=2024",
    "/plans/lucheng-2021-2025/evaluation/streets/330302001/?year=2024",
    "/plans/lucheng-2021-2025/evaluation/departments/health/?year=2024",
]


@pytest.mark.django_db
class TestDashboards:
    def test_overview_shows_statuses_by_domain_and_warnings_with_reasons(self, client, users, demo):
        client.force_login(users.office)
        page = client.get("/plans/lucheng-2021-2025/evaluation/?year=2024")
        body = page.content.decode()
        assert page.status_code == 200
        for label in ("已达标", "进展顺利", "预警"):
            assert label in body
        assert "预警提示" in body and "儿童与健康" in body
        warnings = page.context["warnings"]
        assert warnings and all(
            row.result.warnings or row.result.status in ("at_risk", "not_achieved") for row in warnings
        )
        assert all(w.message for row in warnings for w in row.result.warnings)

    def test_indicator_page_shows_projection_and_provenance(self, client, users, demo):
        client.force_login(users.leader)
        page = client.get("/plans/lucheng-2021-2025/evaluation/indicators/HEA-04/?year=2024")
        body = page.content.decode()
        assert "2025" in body and "series-data" in body
        chart = page.context["chart"]
        assert chart["years"][-1] == "2025" and chart["target"] == 90.0
        provenance = page.context["provenance"]
        derived = [p for _area, _y, p in provenance if p.derived]
        entered = [p for _area, _y, p in provenance if not p.derived]
        assert derived and entered
        assert entered[0].source["accepted_by"] and entered[0].source["department"] == "区卫健局"
        assert "汇总" in body or "由" in body

    def test_every_chart_downloads_as_csv_and_xlsx(self, client, users, demo):
        client.force_login(users.evaluator)
        for url in PAGES:
            csv_response = client.get(url + "&format=csv")
            assert csv_response.status_code == 200 and csv_response["Content-Type"].startswith("text/csv"), url
            assert csv_response.content.startswith(b"\xef\xbb\xbf"), url  # Excel reads it as UTF-8
            assert len(csv_response.content.decode("utf-8-sig").splitlines()) >= 2, url
            header = csv_response.content.decode("utf-8-sig").splitlines()[0]
            assert not re.search("[A-Za-z]", header), (url, header)  # Chinese headers for a Chinese reader
            xlsx = client.get(url + "&format=xlsx")
            book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
            assert book.active.max_row >= 2, url

    def test_provenance_reads_in_the_users_language(self, client, users, demo):
        """A value entered by no account (the demo's import) reads 系统导入, not 'system 填报（system）',
        on the page and in its CSV; the derived flag is 是/否, not True/False."""
        client.force_login(users.evaluator)
        page = client.get("/plans/lucheng-2021-2025/evaluation/indicators/HEA-04/?year=2024").content.decode()
        text = client.get("/plans/lucheng-2021-2025/evaluation/indicators/HEA-04/?year=2024&format=csv").content.decode(
            "utf-8-sig"
        )
        rows = list(csv.reader(io.StringIO(text)))
        assert {row[5] for row in rows[1:]} == {"是", "否"}
        for shown in (page, text):
            assert "system" not in shown and "True" not in shown and "False" not in shown

    def test_street_pages_follow_area_scope(self, client, users, demo):
        client.force_login(users.supervisor)  # 五马街道
        assert client.get("/plans/lucheng-2021-2025/evaluation/streets/330302001/?year=2024").status_code == 200
        assert client.get("/plans/lucheng-2021-2025/evaluation/streets/330302002/?year=2024").status_code == 403
        client.force_login(users.office)
        assert client.get("/plans/lucheng-2021-2025/evaluation/streets/330302002/?year=2024").status_code == 200

    def test_pages_need_a_login(self, client, demo):
        for url in PAGES:
            response = client.get(url)
            assert response.status_code == 302 and "/accounts/login/" in response.url

    def test_every_role_reads_the_district_pages(self, client, users, demo):
        for role in ("office", "reporter", "reviewer", "leader", "evaluator", "supervisor"):
            client.force_login(getattr(users, role))
            for url in PAGES[:3] + PAGES[4:]:
                assert client.get(url).status_code == 200, (role, url)


@pytest.mark.django_db
class TestEvaluateCommand:
    def test_json_lists_district_and_every_street(self, demo, plan, capsys):
        call_command("evaluate", "--year", "2024", "--json")
        records = json.loads(capsys.readouterr().out)
        visits = [r for r in records if r["indicator"] == "HEA-04"]
        assert len(visits) == 15  # the district and 14 streets
        district = next(r for r in visits if r["area"] == "330302")
        assert district["status"] in ("achieved", "on_track", "needs_acceleration", "at_risk", "not_achieved")
        assert district["latest_year"] == 2024 and district["latest_value"] > 80

    def test_only_accepted_values_count(self, demo, plan):
        rows = evaluate_plan(plan, 2025)
        accepted_2025 = set(
            DataValue.objects.filter(round__year=2025, submission__state="accepted").values_list(
                "indicator__code", flat=True
            )
        )
        for row in rows:
            if row.area.level == "district" and row.indicator.code not in accepted_2025:
                assert row.result.latest_year is None or row.result.latest_year <= 2024


@pytest.mark.django_db
class TestSnapshots:
    def test_publish_freezes_and_a_correction_makes_a_new_version(self, demo, plan, users):
        first = do_publish(users.office, plan, 2024, "年度监测")
        assert first.version == 1 and first.results.exists() and first.values.exists()
        assert AuditEvent.objects.filter(action="evaluation.publish").exists()
        value = DataValue.objects.filter(round__year=2024, indicator__code="HEA-01").first()
        DataValue.objects.filter(pk=value.pk).update(value=value.value + 1)  # a correction, reaccepted
        second = do_publish(users.office, plan, 2024, "更正")
        assert second.version == 2
        assert first.results.count() == second.results.count()
        changes = diff_snapshots(first, second)
        assert any(c.indicator == "HEA-01" and c.what == "value 2024" for c in changes)
        assert all(c.indicator == "HEA-01" for c in changes)  # nothing else moved
        assert Snapshot.objects.latest_versions().get(plan=plan, year=2024) == second

    def test_only_the_office_publishes(self, demo, plan, users):
        for user in (users.reporter, users.leader, users.evaluator):
            with pytest.raises(PermissionDenied):
                do_publish(user, plan, 2024)


@pytest.mark.django_db
def test_published_page_publish_button_and_diff(client, users, demo, plan):
    client.force_login(users.leader)
    assert client.post("/plans/lucheng-2021-2025/evaluation/published/", {"year": "2024"}).status_code == 403
    client.force_login(users.office)
    # A form from before the confirmation step publishes nothing: it is shown the step instead.
    assert (
        client.post("/plans/lucheng-2021-2025/evaluation/published/", {"year": "2024", "note": "年度监测"}).status_code
        == 400
    )
    assert not Snapshot.objects.filter(year=2024).exists()
    confirmed = {"year": "2024", "confirmed": "yes", "reason": "按期发布"}
    assert (
        client.post(
            "/plans/lucheng-2021-2025/evaluation/published/publish/", {**confirmed, "note": "年度监测"}
        ).status_code
        == 302
    )
    value = DataValue.objects.filter(round__year=2024, indicator__code="HEA-01").first()
    DataValue.objects.filter(pk=value.pk).update(value=value.value + 1)
    client.post("/plans/lucheng-2021-2025/evaluation/published/publish/", {**confirmed, "note": "更正"})
    page = client.get("/plans/lucheng-2021-2025/evaluation/published/").content.decode()
    assert "v1" in page and "v2" in page and "更正" in page
    diff = client.get("/plans/lucheng-2021-2025/evaluation/published/2024/v2/")
    assert [c.indicator for c in diff.context["changes"]] and all(
        c.indicator == "HEA-01" for c in diff.context["changes"]
    )
    client.force_login(users.evaluator)
    assert client.get("/plans/lucheng-2021-2025/evaluation/published/2024/v2/").status_code == 200
    client.logout()
    assert client.get("/plans/lucheng-2021-2025/evaluation/published/2024/v2/").status_code == 302


@pytest.mark.django_db
def test_office_assesses_a_qualitative_goal_with_evidence(client, users, plan):
    goal = plan.domains.get(code="family").goals.get(number=1)
    client.force_login(users.reporter)
    assert (
        client.post(
            "/plans/lucheng-2021-2025/evaluation/assessments/?year=2024", {"item": f"goal-{goal.pk}"}
        ).status_code
        == 403
    )
    client.force_login(users.office)
    blank = {"item": f"goal-{goal.pk}", "status": "on_track", "evidence": " ", "assessed_on": "2025-01-15"}
    refused = client.post("/plans/lucheng-2021-2025/evaluation/assessments/?year=2024", blank, follow=True)
    assert "请填写评定依据" in refused.content.decode()
    client.post("/plans/lucheng-2021-2025/evaluation/assessments/?year=2024",
                {"item": f"goal-{goal.pk}", "status": "on_track", "evidence": "开展好家风活动 120 场",
                 "assessed_on": "2025-01-15"})  # fmt: skip
    page = client.get("/plans/lucheng-2021-2025/evaluation/assessments/?year=2024").content.decode()
    assert "开展好家风活动 120 场" in page and "进展顺利" in page
    assert AuditEvent.objects.filter(action="evaluation.assess", actor=users.office).exists()
    client.force_login(users.evaluator)
    assert (
        "开展好家风活动 120 场"
        in client.get("/plans/lucheng-2021-2025/evaluation/assessments/?year=2024").content.decode()
    )


@pytest.mark.django_db
def test_the_made_up_second_district_is_evaluated_on_its_own_data(second_district, users):
    """Three accepted rounds of the made-up district 990101, evaluated beside Lucheng: its results
    are worked out from its own values and targets, and neither district's areas leak into the other."""
    from ..collection.test_collection_workflow import run_second_district_round

    years = {
        2021: ({"990101001": "92", "990101002": "88"}, "4.6"),
        2022: ({"990101001": "94", "990101002": "90"}, "4.3"),
        2023: ({"990101001": "97", "990101002": "94"}, "3.8"),
    }
    for year, (visits, deaths) in years.items():
        run_second_district_round(second_district, year, visits, deaths)
    rows = {(r.indicator.code, r.area.code): r.result for r in evaluate_plan(second_district.plan, 2023)}
    assert set(rows) == {("HEA-01", "990101"), ("HEA-01", "990101001"), ("HEA-01", "990101002"), ("HEA-02", "990101")}
    assert rows["HEA-01", "990101"].latest_value == pytest.approx(95.5)  # 191 of 200 newborns visited
    assert rows["HEA-01", "990101002"].latest_value == pytest.approx(94)
    assert rows["HEA-02", "990101"].latest_value == pytest.approx(3.8)
    # Against its own targets (95 %, 4 ‰): 95.5 and 3.8 are achieved; the
    # town at 94 % rising 3 points a year is on track for 95 % by 2025.
    assert {key: result.status for key, result in rows.items()} == {
        ("HEA-01", "990101"): "achieved",
        ("HEA-01", "990101001"): "achieved",
        ("HEA-01", "990101002"): "on_track",
        ("HEA-02", "990101"): "achieved",
    }
    lucheng = evaluate_plan(Plan.objects.get(code="lucheng-2021-2025"), 2023)
    assert lucheng and not any(r.area.code.startswith("990101") for r in lucheng)
