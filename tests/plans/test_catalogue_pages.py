"""The catalogue browser: domains → goals, measures and indicators, each indicator with its
target, unit, departments and the plan's own sentence; in Chinese, English on request."""

from __future__ import annotations

import pytest

from childfirst.plans.models import Domain, Indicator

PLAN = "/plans/lucheng-2021-2025"


@pytest.mark.django_db
class TestCatalogue:
    def test_plan_overview_lists_seven_domains_and_five_projects(self, client, users, plan):
        client.force_login(users.leader)
        page = client.get(f"{PLAN}/").content.decode()
        for name in (
            "儿童与家庭",
            "儿童与健康",
            "儿童与安全",
            "儿童与教育",
            "儿童与福利",
            "儿童与法律",
            "儿童与环境",
        ):
            assert name in page
        for project in plan.key_projects.all():
            assert project.name in page

    def test_domain_page_has_goals_measures_and_indicators(self, client, users, plan):
        client.force_login(users.reporter)
        domain = Domain.objects.get(plan=plan, code="health")
        page = client.get(f"{PLAN}/domains/health/").content.decode()
        for goal in domain.goals.all():
            assert goal.text[:20] in page
        for measure in domain.measures.all():
            assert measure.title in page
        for indicator in domain.indicators.active():
            assert indicator.name in page

    def test_indicator_page_shows_target_unit_departments_and_sentence(self, client, users, plan):
        client.force_login(users.evaluator)
        indicator = Indicator.objects.get(plan=plan, name="新生儿访视率")
        page = client.get(f"{PLAN}/indicators/{indicator.code}/").content.decode()
        assert "≥ 90%" in page
        assert "新生儿访视率保持在90％以上" in page
        assert "区卫健局" in page
        assert indicator.numerator in page and indicator.denominator in page

    def test_every_indicator_page_renders(self, client, users, plan):
        client.force_login(users.office)
        for indicator in plan.indicators.active():
            response = client.get(f"{PLAN}/indicators/{indicator.code}/")
            assert response.status_code == 200, indicator.code
            assert indicator.source_text in response.content.decode()

    def test_indicator_list_filters_and_htmx_partial(self, client, users, plan, django_assert_max_num_queries):
        client.force_login(users.office)
        with django_assert_max_num_queries(15):
            everything = client.get(f"{PLAN}/indicators/")
        assert everything.status_code == 200
        total = plan.indicators.active().count()
        assert f"共 {total} 项指标" in everything.content.decode()

        partial = client.get(f"{PLAN}/indicators/?department=civil-affairs", headers={"HX-Request": "true"})
        body = partial.content.decode()
        assert "<html" not in body and 'id="indicator-table"' in body
        assert "儿童之家" in body and "新生儿访视率" not in body

        search = client.get(f"{PLAN}/indicators/?q=近视").content.decode()
        assert "近视率" in search and "婴儿死亡率" not in search

    def test_key_project_page(self, client, users, plan):
        client.force_login(users.supervisor)
        page = client.get(f"{PLAN}/projects/KP2/").content.decode()
        assert "区民政局" in page and "区妇联" in page
        assert "50" in page

    def test_english_switch(self, client, users, plan):
        client.force_login(users.office)
        response = client.post("/i18n/setlang/", {"language": "en", "next": f"{PLAN}/"})
        assert response.status_code == 302
        page = client.get(f"{PLAN}/").content.decode()
        assert '<html lang="en">' in page
        assert "Children and Health" in page and "Key projects" in page
