"""Collection pages name their plan (/plans/<plan>/collection/…): old links go on to the current
plan, another district's plan is refused, a round year of another plan is a 404, two plans of one
district are both reachable, the header's plan switcher changes the current plan, and the API takes
a `plan` parameter (required when the caller sees more than one plan)."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.urls import reverse

from childfirst.accounts.tokens import do_create_token
from childfirst.collection.actions import do_open_round
from childfirst.plans.loader import load_plan
from childfirst.plans.models import Plan, PlanStatus

from ..conftest import DATA

LUCHENG = "lucheng-2021-2025"
MADEUP = "madeup-2021-2025"
MINI = "mini-plan"
DEADLINE = datetime.date(2026, 3, 31)

# One page of each collection URL name, of a plan and round year (the 2025 round is opened below).
PAGES = {
    "collection:rounds": "/plans/{plan}/collection/",
    "collection:rules": "/plans/{plan}/collection/rules/",
    "collection:round": "/plans/{plan}/collection/rounds/2025/",
    "collection:entry": "/plans/{plan}/collection/rounds/2025/health/",
    "collection:history": "/plans/{plan}/collection/rounds/2025/health/history/HEA-01/{district}/",
    "collection:round_export": "/plans/{plan}/collection/rounds/2025/values.csv",
    "collection_excel:template": "/plans/{plan}/collection/rounds/2025/health/template.xlsx",
    "collection_excel:upload": "/plans/{plan}/collection/rounds/2025/health/upload/",
    "homes:coverage": "/plans/{plan}/homes/coverage/",
}


def page(name: str, plan: Plan) -> str:
    return PAGES[name].format(plan=plan.code, district=plan.area.code)


@pytest.fixture
def mini_plan(db) -> Plan:
    """A second plan of Lucheng's district beside its 2021–2025 plan: a draft with made-up data."""
    plan = load_plan(DATA / "mini-plan.yaml").plan
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.DRAFT, is_synthetic=True)
    plan.refresh_from_db()
    return plan


class TestOldLinks:
    def test_a_signed_in_user_goes_on_to_the_current_plan_with_the_query(self, client, users, round_2025):
        client.force_login(users.reporter)
        response = client.get("/collection/rounds/2025/health/?domain=health&open=HEA-01")
        assert response.status_code == 302
        assert response.url == f"/plans/{LUCHENG}/collection/rounds/2025/health/?domain=health&open=HEA-01"
        assert client.get(response.url).status_code == 200
        assert client.get("/collection/").url == f"/plans/{LUCHENG}/collection/"

    def test_the_plan_last_opened_is_the_one_old_links_go_to(self, client, users, round_2025, mini_plan):
        client.force_login(users.office)
        assert client.get(f"/plans/{MINI}/collection/").status_code == 200
        assert client.get("/collection/rounds/2025/").url == f"/plans/{MINI}/collection/rounds/2025/"
        assert client.get(f"/plans/{LUCHENG}/collection/").status_code == 200
        assert client.get("/collection/rounds/2025/").url == f"/plans/{LUCHENG}/collection/rounds/2025/"

    def test_anonymous_goes_to_login(self, client, round_2025):
        for old in ("/collection/", "/collection/rounds/2025/health/?domain=health", "/registry/homes/coverage/"):
            response = client.get(old)
            assert response.status_code == 302
            assert response.url.startswith("/accounts/login/")

    def test_old_homes_coverage_link(self, client, users):
        client.force_login(users.supervisor)
        response = client.get("/registry/homes/coverage/?year=2024")
        assert response.url == f"/plans/{LUCHENG}/homes/coverage/?year=2024"
        assert client.get(response.url).status_code == 200

    def test_a_post_to_an_old_link_changes_nothing(self, client, users, round_2025):
        client.force_login(users.office)
        assert client.post("/collection/rounds/open/", {"year": "2024", "deadline": "2025-03-31"}).status_code == 404
        assert not round_2025.plan.rounds.filter(year=2024).exists()


@pytest.mark.django_db
class TestOtherDistrict:
    @pytest.fixture
    def both(self, users, round_2025, second_district):
        do_open_round(second_district.office, second_district.plan, 2025, DEADLINE)
        return users, second_district

    @pytest.mark.parametrize("name", sorted(PAGES))
    def test_each_districts_users_are_refused_the_others_plan(self, client, both, name):
        users, madeup = both
        lucheng = Plan.objects.get(code=LUCHENG)
        for user, other in [
            (users.office, madeup.plan),
            (users.reporter, madeup.plan),
            (madeup.office, lucheng),
            (madeup.reporter, lucheng),
            (madeup.supervisor, lucheng),
        ]:
            client.force_login(user)
            assert client.get(page(name, other)).status_code == 403, (user.username, name)
        # … while the same page of their own plan opens for the roles it is for.
        client.force_login(madeup.office)
        if name != "collection_excel:upload":
            assert client.get(page(name, madeup.plan)).status_code == 200, name
        client.force_login(madeup.reporter)
        if name not in ("collection:round_export", "homes:coverage"):
            assert client.get(page(name, madeup.plan)).status_code == 200, name

    def test_posts_to_the_other_plan_are_refused_and_change_nothing(self, client, both):
        users, madeup = both
        client.force_login(users.office)
        url = reverse("collection:round_open", args=[madeup.plan.code])
        assert client.post(url, {"year": "2024", "deadline": "2025-03-31"}).status_code == 403
        url = reverse("collection:round_state", args=[madeup.plan.code, 2025])
        assert client.post(url, {"step": "close", "confirmed": "yes"}).status_code == 403
        assert not madeup.plan.rounds.filter(year=2024).exists()
        assert madeup.plan.rounds.get(year=2025).state == "open"

    def test_an_unknown_plan_is_a_404(self, client, users, round_2025):
        client.force_login(users.office)
        assert client.get("/plans/no-such-plan/collection/").status_code == 404
        assert client.get("/plans/no-such-plan/collection/rounds/2025/health/").status_code == 404


@pytest.mark.django_db
class TestTwoPlansOfOneDistrict:
    def test_a_round_year_of_another_plan_is_a_404(self, client, users, round_2025, mini_plan):
        client.force_login(users.office)
        assert client.get(f"/plans/{MINI}/collection/rounds/2025/").status_code == 404
        assert client.get(f"/plans/{MINI}/collection/rounds/2025/health/").status_code == 404
        assert client.get(f"/plans/{MINI}/collection/rounds/2025/health/template.xlsx").status_code == 404
        client.force_login(users.reporter)
        assert client.get(f"/plans/{MINI}/collection/rounds/2025/health/upload/").status_code == 404

    def test_the_office_reaches_the_rounds_of_both(self, client, users, round_2025, mini_plan):
        do_open_round(users.office, mini_plan, 2024, DEADLINE)
        client.force_login(users.office)
        lucheng = client.get(f"/plans/{LUCHENG}/collection/").content.decode()
        assert f'href="/plans/{LUCHENG}/collection/rounds/2025/"' in lucheng
        assert f"/plans/{MINI}/collection/rounds/" not in lucheng
        mini = client.get(f"/plans/{MINI}/collection/").content.decode()
        assert f'href="/plans/{MINI}/collection/rounds/2024/"' in mini
        assert f"/plans/{LUCHENG}/collection/rounds/" not in mini
        entry = client.get(f"/plans/{MINI}/collection/rounds/2024/health/")
        assert entry.status_code == 200
        assert entry.context["submission"].round.plan == mini_plan
        # The office opens a round of the plan in the URL, and only of that one.
        response = client.post(f"/plans/{MINI}/collection/rounds/open/", {"year": "2023", "deadline": "2024-03-31"})
        assert response.url == f"/plans/{MINI}/collection/rounds/2023/"
        assert mini_plan.rounds.filter(year=2023).exists()
        assert not round_2025.plan.rounds.filter(year=2023).exists()

    def test_the_switcher_shows_the_current_plan_and_changes_it(self, client, users, round_2025, mini_plan):
        client.force_login(users.office)
        html = client.get(f"/plans/{LUCHENG}/collection/rounds/2025/").content.decode()
        switcher = re.search(r'<details class="plan-switch">(.*?)</details>', html, re.S)
        assert switcher is not None
        summary = re.search(r"<summary>(.*?)</summary>", switcher[1], re.S)[1]
        assert round_2025.plan.name in summary and mini_plan.name not in summary
        # The other plan, with its badges, links to the same section of it.
        assert f'href="/plans/{MINI}/switch/?to=collection"' in switcher[1]
        assert "规划草案" in switcher[1] and "演示数据" in switcher[1]
        # The navigation's plan pages are the current plan's, and "Data collection" is current.
        assert f'href="/plans/{LUCHENG}/collection/" aria-current="page"' in html
        assert f'href="/plans/{LUCHENG}/indicators/"' in html

        response = client.get(f"/plans/{MINI}/switch/?to=collection")
        assert response.status_code == 302 and response.url == f"/plans/{MINI}/collection/"
        html = client.get("/").content.decode()  # a page without a plan of its own: the current one
        summary = re.search(r'<details class="plan-switch">\s*<summary>(.*?)</summary>', html, re.S)[1]
        assert mini_plan.name in summary and round_2025.plan.name not in summary
        assert f'href="/plans/{MINI}/collection/"' in html
        assert f'href="/plans/{LUCHENG}/switch/?to=catalogue"' in html
        assert client.get(f"/plans/{LUCHENG}/switch/?to=catalogue").url == f"/plans/{LUCHENG}/"
        assert client.get(f"/plans/{MINI}/switch/?to=anything-else").url == f"/plans/{MINI}/"

    def test_switching_is_refused_for_a_plan_the_user_cannot_see(self, client, users, second_district):
        client.force_login(users.office)
        assert client.get(f"/plans/{MADEUP}/switch/?to=collection").status_code == 403
        assert client.get(f"/plans/{LUCHENG}/").status_code == 200
        assert client.post(f"/plans/{LUCHENG}/switch/").status_code == 405
        client.logout()
        assert client.get(f"/plans/{LUCHENG}/switch/").url.startswith("/accounts/login/")

    def test_no_switcher_with_one_plan(self, client, users, round_2025, second_district):
        client.force_login(users.office)  # sees Lucheng's plan only, not the other district's
        html = client.get(f"/plans/{LUCHENG}/collection/").content.decode()
        assert "plan-switch" not in html


@pytest.mark.django_db
class TestHomes:
    def test_the_homes_district_comes_from_the_users_scope(self, client, users, mini_plan, second_district):
        client.force_login(users.office)
        page = client.get("/registry/homes/").content.decode()
        assert "鹿城区" in page
        assert f'href="/plans/{LUCHENG}/homes/coverage/?year=' in page
        client.force_login(second_district.office)
        page = client.get("/registry/homes/").content.decode()
        assert "鹿城区" not in page and f"/plans/{MADEUP}/homes/coverage/" in page

    def test_the_coverage_page_reads_the_plan_in_its_url(self, client, users, mini_plan):
        client.force_login(users.office)
        lucheng = client.get(f"/plans/{LUCHENG}/homes/coverage/")
        mini = client.get(f"/plans/{MINI}/homes/coverage/")
        assert lucheng.context["plan"].code == LUCHENG and mini.context["plan"].code == MINI
        for role in ("leader", "evaluator", "supervisor", "director"):
            client.force_login(getattr(users, role))
            assert client.get(f"/plans/{LUCHENG}/homes/coverage/").status_code == 200, role
        for role in ("reporter", "reviewer"):  # departments do not read the homes
            client.force_login(getattr(users, role))
            assert client.get(f"/plans/{LUCHENG}/homes/coverage/").status_code == 403, role


class Api:
    def __init__(self, client, user):
        self.client = client
        self.secret = do_create_token(None, user, name="test")[1]

    def get(self, path: str):
        return self.client.get(f"/api{path}", HTTP_AUTHORIZATION=f"Bearer {self.secret}")

    def post(self, path: str, body: dict):
        return self.client.post(
            f"/api{path}", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {self.secret}"
        )


@pytest.mark.django_db
class TestApiPlan:
    def test_one_plan_needs_no_parameter(self, client, users, round_2025):
        api = Api(client, users.office)
        rounds = api.get("/rounds").json()
        assert [(r["plan"], r["year"]) for r in rounds] == [(LUCHENG, 2025)]
        assert api.get(f"/rounds?plan={LUCHENG}").json() == rounds
        assert api.get("/dataValueSets?year=2025").status_code == 200

    def test_several_plans_need_it_and_the_error_lists_them(self, client, users, round_2025, mini_plan):
        do_open_round(users.office, mini_plan, 2024, DEADLINE)
        api = Api(client, users.reporter)
        for path in ("/rounds", "/dataValueSets?year=2025"):
            response = api.get(path)
            assert response.status_code == 422, path
            error = response.json()["errors"][0]
            assert error["field"] == "plan"
            assert LUCHENG in error["message"] and MINI in error["message"]
        posted = api.post("/dataValueSets", {"year": 2025, "department": "health", "dataValues": []})
        assert posted.status_code == 422 and posted.json()["errors"][0]["field"] == "plan"
        step = api.post("/submissions/2025/health/submit", {"version": 0})
        assert step.status_code == 422 and step.json()["errors"][0]["field"] == "plan"
        # With it: that plan's rounds and values, and a year of the other plan is a 404.
        assert [r["year"] for r in api.get(f"/rounds?plan={MINI}").json()] == [2024]
        assert [r["year"] for r in api.get(f"/rounds?plan={LUCHENG}").json()] == [2025]
        assert api.get(f"/dataValueSets?year=2025&plan={LUCHENG}").status_code == 200
        assert api.get(f"/dataValueSets?year=2025&plan={MINI}").status_code == 404
        dry = {"year": 2024, "department": "health", "dataValues": [], "dryRun": True}
        assert api.post(f"/dataValueSets?plan={MINI}", dry).status_code == 200
        assert api.post(f"/dataValueSets?plan={LUCHENG}", dry).status_code == 404

    def test_api_requests_leave_no_session_behind(self, client, users, round_2025, mini_plan):
        from django.contrib.sessions.models import Session

        api = Api(client, users.office)
        assert api.get(f"/rounds?plan={LUCHENG}").status_code == 200
        response = api.get(f"/dataValueSets?year=2025&plan={LUCHENG}")
        assert response.status_code == 200 and "sessionid" not in response.cookies
        assert not Session.objects.exists()

    def test_an_unknown_or_unseen_plan(self, client, users, round_2025, second_district):
        api = Api(client, users.office)
        unknown = api.get("/rounds?plan=no-such-plan")
        assert unknown.status_code == 404 and "no-such-plan" in unknown.json()["message"]
        unseen = api.get(f"/rounds?plan={MADEUP}")
        assert unseen.status_code == 403 and MADEUP in unseen.json()["message"]
        assert api.get(f"/dataValueSets?year=2025&plan={MADEUP}").status_code == 403

    def test_the_openapi_document_describes_it(self, client):
        document = client.get("/api/openapi.json").json()
        rounds = document["paths"]["/api/rounds"]["get"]["parameters"]
        assert [p["name"] for p in rounds] == ["plan"] and "422" in rounds[0]["description"]
        assert "`plan`" in document["info"]["description"]
