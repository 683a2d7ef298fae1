"""Evaluation and report pages name their plan: old links go on to the current plan, a plan the
user may not see is refused, and a snapshot or report job reached through another plan's URL is a 404
— with two plans of one district loaded, and with a second (made-up) district beside Lucheng."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.utils import timezone

from childfirst.evaluation.actions import do_publish
from childfirst.evaluation.models import Snapshot
from childfirst.plans.loader import load_plan
from childfirst.plans.models import Plan
from childfirst.reports.models import JobState, ReportJob

from ..conftest import make_second_district

DATA = Path(__file__).resolve().parents[1] / "data"
LUCHENG = "lucheng-2021-2025"
NEXT = "mini-2026-2030"


def load_next_plan(tmp_path: Path) -> Plan:
    """A second plan of Lucheng's district, 2026–2030, still a draft: tests/data/mini-plan.yaml
    under another code and period."""
    text = (DATA / "mini-plan.yaml").read_text(encoding="utf-8")
    text = (
        text.replace("code: mini-plan", f"code: {NEXT}")
        .replace("start_year: 2021", "start_year: 2026")
        .replace("end_year: 2025", "end_year: 2030\n  status: draft\n  synthetic: true")
        .replace("target_year: 2025", "target_year: 2030")
    )
    shutil.copy(DATA / "mini-plan.txt", tmp_path / "mini-plan.txt")
    path = tmp_path / "next-plan.yaml"
    path.write_text(text, encoding="utf-8")
    return load_plan(path).plan


@pytest.fixture
def next_plan(db, tmp_path) -> Plan:
    return load_next_plan(tmp_path)


def done_job(snapshot: Snapshot, user) -> ReportJob:
    """A finished job row (the documents themselves are tests/reports/test_report_jobs.py's business)."""
    now = timezone.now()
    return ReportJob.objects.create(
        kind="annual",
        snapshot=snapshot,
        state=JobState.DONE,
        progress=100,
        requested_by=user,
        requested_at=now,
        updated_at=now,
        finished_at=now,
    )


@pytest.mark.django_db
class TestOldLinks:
    def test_an_old_link_goes_on_to_the_current_plan_with_its_query(self, client, users, plan):
        client.force_login(users.office)
        response = client.get("/evaluation/indicators/HEA-01/?year=2024")
        assert response.status_code == 302
        assert response.url == f"/plans/{LUCHENG}/evaluation/indicators/HEA-01/?year=2024"
        assert client.get(response.url).status_code == 200
        assert client.get("/reports/").url == f"/plans/{LUCHENG}/reports/"
        assert client.get("/evaluation/methods/").url == f"/plans/{LUCHENG}/evaluation/methods/"
        assert client.get("/evaluation/published/2024/v1/?format=csv").url == (
            f"/plans/{LUCHENG}/evaluation/published/2024/v1/?format=csv"
        )

    def test_the_current_plan_is_the_one_last_opened(self, client, users, plan, next_plan):
        client.force_login(users.office)
        assert client.get("/evaluation/").url == f"/plans/{LUCHENG}/evaluation/"  # the plan in force
        assert client.get(f"/plans/{NEXT}/evaluation/").status_code == 200
        assert client.get("/evaluation/streets/?year=2026").url == f"/plans/{NEXT}/evaluation/streets/?year=2026"
        assert client.get("/reports/").url == f"/plans/{NEXT}/reports/"

    def test_anonymous_goes_to_login(self, client, plan):
        for url in ("/evaluation/indicators/HEA-01/?year=2024", "/reports/", f"/plans/{LUCHENG}/evaluation/"):
            response = client.get(url)
            assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url


@pytest.mark.django_db
class TestAnotherDistrictsPlan:
    """Each district's users are refused the other district's evaluation and report pages."""

    def test_each_district_is_refused_the_others_pages(self, client, users, plan):
        second = make_second_district()
        theirs = second.plan.code
        pages = ["evaluation/", "evaluation/indicators/HEA-01/", "evaluation/published/", "evaluation/methods/"]
        pages += ["evaluation/assessments/", "evaluation/streets/", "reports/"]
        for user, own, other in ((users.office, LUCHENG, theirs), (second.office, theirs, LUCHENG)):
            client.force_login(user)
            for page in pages:
                assert client.get(f"/plans/{own}/{page}").status_code == 200, (user, own, page)
                assert client.get(f"/plans/{other}/{page}").status_code == 403, (user, other, page)
        for user, other in ((users.reporter, theirs), (second.reporter, LUCHENG), (users.leader, theirs)):
            client.force_login(user)
            assert client.get(f"/plans/{other}/evaluation/").status_code == 403, user
        client.force_login(second.office)
        assert client.get("/plans/no-such-plan/evaluation/").status_code == 404

    def test_nothing_is_published_or_generated_in_the_others_plan(self, client, users, plan):
        second = make_second_district()
        snapshot = do_publish(None, plan, 2024)
        client.force_login(second.office)
        confirmed = {"year": "2024", "confirmed": "yes", "reason": "试图越权发布"}
        assert client.post(f"/plans/{LUCHENG}/evaluation/published/publish/", confirmed).status_code == 403
        assert (
            client.post(f"/plans/{LUCHENG}/reports/request/", {"kind": "annual", "snapshot": snapshot.pk}).status_code
            == 403
        )
        # Its own plan's URL does not reach Lucheng's snapshot either.
        mine = f"/plans/{second.plan.code}/reports/request/"
        assert client.post(mine, {"kind": "annual", "snapshot": snapshot.pk}).status_code == 404
        assert Snapshot.objects.filter(plan=plan).count() == 1 and not ReportJob.objects.exists()


@pytest.mark.django_db
class TestTwoPlansOfOneDistrict:
    def test_each_overview_shows_its_own_plan(self, client, users, plan, next_plan):
        client.force_login(users.office)
        old = client.get(f"/plans/{LUCHENG}/evaluation/")
        new = client.get(f"/plans/{NEXT}/evaluation/")
        assert old.context["plan"] == plan and new.context["plan"] == next_plan
        assert f"/plans/{LUCHENG}/evaluation/domains/education/" in old.content.decode()
        page = new.content.decode()
        assert f"/plans/{NEXT}/evaluation/domains/health/" in page
        assert "/evaluation/domains/education/" not in page  # the mini plan has one domain
        assert new.context["year"] == 2030  # nothing reported yet: its last year
        indicator = client.get(f"/plans/{NEXT}/evaluation/indicators/HEA-01/?year=2026")
        assert indicator.status_code == 200 and indicator.context["indicator"].plan == next_plan
        assert client.get(f"/plans/{NEXT}/evaluation/indicators/HEA-04/").status_code == 404  # Lucheng's only

    def test_publishing_goes_to_the_plan_in_the_url(self, client, users, plan, next_plan):
        client.force_login(users.office)
        confirmed = {"year": "2026", "confirmed": "yes", "reason": "首年试发布"}
        response = client.post(f"/plans/{NEXT}/evaluation/published/publish/", confirmed)
        assert response.status_code == 302 and response.url == f"/plans/{NEXT}/evaluation/published/"
        assert list(Snapshot.objects.values_list("plan__code", "year")) == [(NEXT, 2026)]
        # 2026 is outside Lucheng's plan: its publish step refuses the year and publishes nothing.
        response = client.post(f"/plans/{LUCHENG}/evaluation/published/publish/", confirmed)
        assert response.url == f"/plans/{LUCHENG}/evaluation/published/"
        assert Snapshot.objects.filter(plan=plan).count() == 0

    def test_a_snapshot_of_another_plan_is_not_found(self, client, users, plan, next_plan):
        do_publish(None, next_plan, 2026)
        do_publish(None, next_plan, 2026, reason="更正")
        client.force_login(users.office)
        assert client.get(f"/plans/{NEXT}/evaluation/published/2026/v2/").status_code == 200
        assert client.get(f"/plans/{LUCHENG}/evaluation/published/2026/v2/").status_code == 404
        listed = client.get(f"/plans/{LUCHENG}/evaluation/published/").content.decode()
        assert "/published/2026/v2/" not in listed

    def test_a_report_job_of_another_plan_is_not_found(self, client, users, plan, next_plan):
        snapshot = do_publish(None, plan, 2024)
        job = done_job(snapshot, users.office)
        for user in (users.office, users.leader):
            client.force_login(user)
            own, other = f"/plans/{LUCHENG}/reports/jobs/{job.pk}/", f"/plans/{NEXT}/reports/jobs/{job.pk}/"
            assert client.get(own, HTTP_HX_REQUEST="true").status_code == 200, user
            assert client.get(other, HTTP_HX_REQUEST="true").status_code == 404, user
            assert client.get(f"{other}report.docx").status_code == 404, user
            assert f"job-{job.pk}" not in client.get(f"/plans/{NEXT}/reports/").content.decode()
        client.force_login(users.office)
        requested = client.post(f"/plans/{NEXT}/reports/request/", {"kind": "annual", "snapshot": snapshot.pk})
        assert requested.status_code == 404
        assert ReportJob.objects.count() == 1

    def test_a_report_is_requested_from_the_plan_in_the_url(self, client, users, plan, next_plan):
        # The job is queued after the commit, which the test's transaction never reaches: nothing is built.
        snapshot = do_publish(None, next_plan, 2026)
        client.force_login(users.office)
        response = client.post(f"/plans/{NEXT}/reports/request/", {"kind": "annual", "snapshot": snapshot.pk})
        assert response.status_code == 302 and response.url.startswith(f"/plans/{NEXT}/reports/#job-")
        assert ReportJob.objects.get().snapshot.plan == next_plan
