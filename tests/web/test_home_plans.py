"""With two plans of one district loaded — 2021–2025 in its final evaluation, 2026–2030 with its first
round open — the home page shows both plans' work side by side, each with links into its own pages."""

from __future__ import annotations

import datetime

import pytest

from childfirst.collection.actions import do_open_round
from childfirst.evaluation.actions import do_publish

from ..evaluation.test_plan_urls import LUCHENG, NEXT, done_job, load_next_plan
from .test_home import home, links


@pytest.fixture
def two_plans(users, plan, tmp_path):
    """Lucheng's final (2025) evaluation published with a report; the next plan's 2026 round open."""
    next_plan = load_next_plan(tmp_path)
    final = do_publish(None, plan, 2025, reason="换届前提交终期评估")
    done_job(final, users.office)
    do_open_round(users.office, next_plan, 2026, datetime.date(2027, 3, 31))
    return plan, next_plan


def block(page: str, code: str) -> str:
    """The home page's block of one plan (from its heading to the next section's end)."""
    start = page.index(f'id="plan-work-{code}"')
    return page[start : page.index("</section>", start)]


@pytest.mark.django_db
class TestTwoPlansOnTheHomePage:
    def test_the_office_sees_the_final_evaluation_and_the_new_round_side_by_side(self, client, users, two_plans):
        page = home(client, users.office)
        old, new = block(page, LUCHENG), block(page, NEXT)
        assert page.index(f'id="plan-work-{NEXT}"') < page.index(f'id="plan-work-{LUCHENG}"')  # newest first
        assert "2025 年终期评估" in old and f"/plans/{LUCHENG}/evaluation/?year=2025" in old
        assert "没有开放的填报轮次" in old  # Lucheng has no round open
        assert "2026" in new and "<progress" in new  # the new plan's first round
        assert "规划草案" in new  # its status
        assert "尚未发布任何评估" in new and f"/plans/{NEXT}/evaluation/" in new
        assert f"/plans/{LUCHENG}/" not in new and f"/plans/{NEXT}/" not in old

    def test_a_leader_sees_each_plans_status_and_latest_report(self, client, users, two_plans):
        page = home(client, users.leader)
        old, new = block(page, LUCHENG), block(page, NEXT)
        assert f"/plans/{LUCHENG}/reports/" in old and "2025" in old
        assert f"/plans/{NEXT}/reports/" in new and "尚未生成报告" in new

    @pytest.mark.parametrize("role", ["office", "leader", "evaluator"])
    def test_every_plan_link_on_the_home_page_can_be_followed(self, client, users, two_plans, role):
        page = home(client, getattr(users, role))
        # Every link into a plan's pages (collection, evaluation, reports, the catalogue, and the header's
        # plan switcher, which answers with a redirect to the chosen plan's page).
        hrefs = [href for href in links(page) if href.startswith("/plans/")]
        assert {h.split("/")[2] for h in hrefs} >= {LUCHENG, NEXT}
        for href in hrefs:
            response = client.get(href, follow=True)
            assert response.status_code == 200, (role, href, response.status_code)

    def test_reporters_see_the_rounds_of_every_plan_each_named(self, client, users, two_plans):
        plan, next_plan = two_plans
        do_open_round(users.office, plan, 2025, datetime.date(2026, 3, 31))
        page = home(client, users.reporter)
        assert plan.name in page and next_plan.name in page
        assert "2025" in page and "2026" in page
