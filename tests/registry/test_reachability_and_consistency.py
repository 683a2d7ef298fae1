"""Issue 13, item 8: street scorecards and contact cards reachable from the menus, the contact card on
the child's file page, the child list in pinyin order (surname, then given name), a high-risk rating
scheduling the next visit from the assessment, and the accept page naming what differs from the
children's platform."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from childfirst.collection.actions import Channel, save_values
from childfirst.collection.entries import RawCell
from childfirst.registry.casework.visits import current_policy, next_due
from childfirst.registry.children.names import sort_key
from childfirst.registry.models import Child

from .test_registry_aggregates import civil, homes  # noqa: F401  (fixtures)
from .test_registry_casework import make_child

WUMA, WUMA_1, SONGTAI_1 = "330302001", "330302001001", "330302002001"

CIVIL_AFFAIRS_2025 = "/plans/lucheng-2021-2025/collection/rounds/2025/civil-affairs/"


@pytest.mark.django_db
class TestStreetScorecards:
    def test_in_the_menu_of_every_role(self, client, users, plan):
        for role in ("office", "reporter", "supervisor", "director", "leader", "evaluator"):
            client.force_login(getattr(users, role))
            page = client.get("/").content.decode()
            assert 'href="/plans/lucheng-2021-2025/evaluation/streets/"' in page, role

    def test_the_list_shows_the_streets_the_user_may_see(self, client, users, plan):
        client.force_login(users.office)
        page = client.get("/plans/lucheng-2021-2025/evaluation/streets/").content.decode()
        assert (
            f"/plans/lucheng-2021-2025/evaluation/streets/{WUMA}/" in page
            and "/plans/lucheng-2021-2025/evaluation/streets/330302002/" in page
        )
        assert "街镇记分卡" in page

    def test_a_supervisor_goes_to_the_own_street_only(self, client, users, plan):
        client.force_login(users.supervisor)
        response = client.get("/plans/lucheng-2021-2025/evaluation/streets/")
        assert response.status_code == 302 and response.url.startswith(
            f"/plans/lucheng-2021-2025/evaluation/streets/{WUMA}/"
        )
        client.force_login(users.other_supervisor)
        response = client.get("/plans/lucheng-2021-2025/evaluation/streets/")
        assert response.status_code == 302 and f"/{WUMA}/" not in response.url


@pytest.mark.django_db
class TestContactCards:
    def test_batch_printing_has_its_own_menu_item(self, client, users):
        client.force_login(users.supervisor)
        assert 'href="/registry/cards/"' in client.get("/").content.decode()
        client.force_login(users.office)
        assert 'href="/registry/cards/"' not in client.get("/").content.decode()

    def test_the_supervisor_chooses_a_community_of_the_street(self, client, users):
        make_child(users.director, community=WUMA_1)
        make_child(users.other_supervisor, community=SONGTAI_1, name="李四")
        client.force_login(users.supervisor)
        page = client.get("/registry/cards/").content.decode()
        assert f'href="/registry/cards/{WUMA_1}/"' in page
        assert SONGTAI_1 not in page  # another street's community is not offered

    def test_a_director_goes_to_the_own_community(self, client, users):
        client.force_login(users.director)
        response = client.get("/registry/cards/")
        assert response.status_code == 302 and response.url == f"/registry/cards/{WUMA_1}/"

    def test_other_roles_are_refused(self, client, users):
        for role in ("office", "reporter", "reviewer", "leader", "evaluator"):
            client.force_login(getattr(users, role))
            assert client.get("/registry/cards/").status_code == 403, role
        client.logout()
        assert client.get("/registry/cards/").url.startswith("/accounts/login/")

    def test_the_childs_file_page_prints_its_card(self, client, users):
        child = make_child(users.director)
        client.force_login(users.director)
        page = client.get(f"/registry/children/{child.pk}/").content.decode()
        assert f'action="/registry/children/{child.pk}/card.pdf"' in page
        card = client.post(f"/registry/children/{child.pk}/card.pdf", {"purpose": "入户走访"})
        assert card.status_code == 200 and card.content.startswith(b"%PDF")


@pytest.mark.django_db
class TestChildListOrder:
    def test_surname_then_given_name_in_pinyin(self, client, users):
        # Ordered by the concatenated pinyin they came 陈 程 程 陈: "chenan" < "chengai" < "chengzhi"
        # < "chenxiao", the letter after "chen" deciding between the surnames.
        names = ("程志", "陈晓", "程爱", "陈安")
        for name in names:
            make_child(users.director, name=name)
        client.force_login(users.director)
        page = client.get("/registry/children/").content.decode()
        positions = sorted((page.index(name), name) for name in names)
        assert [name for _position, name in positions] == ["陈安", "陈晓", "程爱", "程志"]
        assert list(Child.objects.values_list("name", flat=True)) == ["陈安", "陈晓", "程爱", "程志"]  # Meta order

    def test_the_key(self):
        assert sort_key("陈晓") == "chen0xiao0" and sort_key("程爱") == "cheng0ai0"
        assert sort_key("曾小明").startswith("zeng0")  # the surname's reading
        assert sort_key("陈晓") < sort_key("程爱") < sort_key("程志")


class TestHighRiskSchedule:
    def test_counts_from_the_assessment_not_the_last_visit(self):
        policy = current_policy()
        visited, assessed = datetime.date(2026, 1, 5), datetime.date(2026, 3, 1)
        due = next_due(
            policy,
            last_visit=visited,
            opened_on=datetime.date(2025, 6, 1),
            categories=[],
            risk_level="high",
            risk_since=assessed,
            today=datetime.date(2026, 3, 2),
        )
        assert due.date == assessed + datetime.timedelta(days=policy.by_risk_level["high"])
        assert not due.is_overdue
        # Already overdue under the earlier interval: stays overdue (the rating brings nothing later).
        early = next_due(
            policy,
            last_visit=datetime.date(2025, 1, 5),
            opened_on=datetime.date(2024, 6, 1),
            categories=[],
            risk_level="high",
            risk_since=assessed,
            today=datetime.date(2026, 3, 2),
        )
        assert early.date == datetime.date(2025, 1, 5) + datetime.timedelta(days=policy.default_days)
        # A visit after the assessment: weekly from that visit.
        after = next_due(
            policy,
            last_visit=datetime.date(2026, 3, 4),
            opened_on=datetime.date(2025, 6, 1),
            categories=[],
            risk_level="high",
            risk_since=assessed,
            today=datetime.date(2026, 3, 5),
        )
        assert after.date == datetime.date(2026, 3, 11)

    @pytest.mark.django_db
    def test_through_the_assessment_on_the_childs_page(self, users):
        from childfirst.registry.casework.caseload import due_for

        from .test_registry_casework import assess, visit

        child = make_child(users.director)
        visit(users.director, child, 40)
        assess(users.director, child, [], raised_to="high", raise_reason="邻居反映夜间无人照看")
        due = due_for(child)
        assert due.date == timezone.localdate() + datetime.timedelta(days=7) and not due.is_overdue


@pytest.mark.django_db
class TestAcceptShowsPlatformDifferences:
    def test_the_office_sees_what_differs_before_accepting(self, client, users, homes, civil):  # noqa: F811
        reporter, submission = civil
        # The platform counts 2 of 4 communities of 五马 with a home meeting 五有 (WEL-13); 1 entered.
        save_values(
            reporter, submission, [RawCell("WEL-13", WUMA, numerator="1", denominator="4")], channel=Channel.WEB
        )
        type(submission).objects.filter(pk=submission.pk).update(state="approved")
        client.force_login(users.office)
        page = client.get(CIVIL_AFFAIRS_2025).content.decode()
        section = page[page.index('class="notice prefill-differences"') :]
        section = section[: section.index("</section>")]
        assert "1 项数值与儿童信息平台不一致" in section
        assert "WEL-13" in section and "五马街道" in section
        assert re.search(r'<td class="num">1</td><td class="num">2</td><td class="num">-1</td>', section)
        assert page.index("prefill-differences") < page.index("/civil-affairs/do/accept/")  # read before the button

    def test_nothing_shown_when_the_values_agree(self, client, users, homes, civil):  # noqa: F811
        reporter, submission = civil
        save_values(
            reporter, submission, [RawCell("WEL-13", WUMA, numerator="2", denominator="4")], channel=Channel.WEB
        )
        type(submission).objects.filter(pk=submission.pk).update(state="approved")
        client.force_login(users.office)
        assert "prefill-differences" not in client.get(CIVIL_AFFAIRS_2025).content.decode()
