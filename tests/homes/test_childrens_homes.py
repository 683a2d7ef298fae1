"""Children's homes: one per community, the 1+N rule, the 五有 items and activities, coverage of
WEL-10/13/14/15 against figures worked out by hand, who may do what, and the pages."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from childfirst.accounts.models import AuditEvent
from childfirst.areas.models import Area
from childfirst.demo.homes import load_demo_homes
from childfirst.homes import actions as actions
from childfirst.homes.coverage import coverage
from childfirst.homes.models import ChildrensHome, HomeActivity, HomeType, StandardCheck, StandardItem

D = datetime.date
Details, Activity = actions.HomeDetails, actions.ActivityDetails
WUMA, SONGTAI = "330302001", "330302002"


def area(code: str) -> Area:
    return Area.objects.get(code=code)


def make_home(code: str, opened: datetime.date, *, items: int = 5, met: datetime.date | None = None) -> ChildrensHome:
    home = actions.do_create_home(None, area(code), Details(f"{code}之家", opened))
    for item in list(StandardItem)[:items]:
        actions.do_set_standard_item(None, home, item, met or opened, "台账")
    return home


def recognise(home: ChildrensHome, day: datetime.date, level: str = "district") -> ChildrensHome:
    return actions.do_set_home_type(None, home, HomeType.DEMONSTRATION, level, day)


@pytest.fixture
def homes(db):
    """The small fixture the coverage figures are worked out on by hand (see the tests below)."""
    h = {
        "wuma1": make_home(f"{WUMA}001", D(2021, 5, 1), met=D(2022, 3, 1)),
        "wuma2": make_home(f"{WUMA}002", D(2020, 1, 1), met=D(2021, 1, 1)),
        "wuma3": make_home(f"{WUMA}003", D(2020, 1, 1), items=4),
        # 五马第五社区 was merged away on 2023-01-01; its home closed that day.
        "wuma5": make_home(f"{WUMA}005", D(2020, 1, 1)),
        "songtai1": make_home(f"{SONGTAI}001", D(2020, 1, 1)),
        "songtai2": make_home(f"{SONGTAI}002", D(2020, 1, 1)),
    }
    actions.do_close_home(None, h["wuma5"], D(2023, 1, 1), "社区撤并")
    h["wuma2"] = recognise(h["wuma2"], D(2023, 6, 1))
    h["songtai1"] = recognise(h["songtai1"], D(2024, 1, 10), "city")
    actions.do_close_home(None, h["songtai2"], D(2024, 6, 30), "场地收回")
    return h


# ----- rules ------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestOneHomePerCommunity:
    def test_a_second_home_is_refused_with_the_reason(self):
        make_home(f"{WUMA}001", D(2021, 1, 1))
        with pytest.raises(actions.HomeError) as exc:
            make_home(f"{WUMA}001", D(2022, 1, 1))
        assert exc.value.field == "community" and "330302001001之家" in str(exc.value)
        assert ChildrensHome.objects.filter(community__code=f"{WUMA}001").count() == 1

    def test_the_database_refuses_it_too(self):
        make_home(f"{WUMA}001", D(2021, 1, 1))
        with pytest.raises(IntegrityError), transaction.atomic():
            ChildrensHome.objects.create(community=area(f"{WUMA}001"), name="x", opened_on=D(2021, 1, 1))

    def test_a_home_belongs_to_a_community(self):
        with pytest.raises(actions.HomeError):
            actions.do_create_home(None, area(WUMA), Details("街道之家", D(2021, 1, 1)))
        assert not ChildrensHome.objects.exists()

    def test_not_after_the_community_ended(self):
        with pytest.raises(actions.HomeError) as exc:
            make_home(f"{WUMA}005", D(2023, 2, 1))
        assert exc.value.field == "opened_on"

    def test_dates_that_disagree_are_refused(self):
        home = make_home(f"{WUMA}001", D(2021, 1, 1))
        with pytest.raises(actions.HomeError):
            actions.do_close_home(None, home, D(2020, 12, 31), "x")
        with pytest.raises(actions.HomeError):
            actions.do_add_activity(None, home, Activity(D(2020, 6, 1), "早于开放", "education", 5))
        with pytest.raises(actions.HomeError):
            actions.do_set_standard_item(None, home, "venue", D.today() + datetime.timedelta(days=3), "台账")
        home.refresh_from_db()
        assert home.closed_on is None and not home.activities.exists()


@pytest.mark.django_db
class TestOnePlusN:
    def test_a_basic_home_is_led_by_a_demonstration_home_of_its_street(self, homes):
        actions.do_link_home(None, homes["wuma1"], homes["wuma2"])
        assert ChildrensHome.objects.get(pk=homes["wuma1"].pk).led_by_id == homes["wuma2"].pk
        assert list(homes["wuma2"].linked_homes.all()) == [homes["wuma1"]]

    def test_not_by_one_of_another_street(self, homes):
        with pytest.raises(actions.HomeError) as exc:
            actions.do_link_home(None, homes["wuma1"], homes["songtai1"])
        assert exc.value.field == "led_by" and homes["songtai1"].name in str(exc.value)
        assert ChildrensHome.objects.get(pk=homes["wuma1"].pk).led_by_id is None

    def test_not_by_a_basic_home_and_a_demonstration_home_is_not_led(self, homes):
        with pytest.raises(actions.HomeError):
            actions.do_link_home(None, homes["wuma1"], homes["wuma3"])
        with pytest.raises(actions.HomeError):
            actions.do_link_home(None, homes["wuma2"], homes["wuma2"])

    def test_at_most_one_leader_linking_again_replaces_it(self, homes):
        other = recognise(homes["wuma3"], D(2024, 1, 1))
        actions.do_link_home(None, homes["wuma1"], homes["wuma2"])
        actions.do_link_home(None, homes["wuma1"], other)
        assert ChildrensHome.objects.get(pk=homes["wuma1"].pk).led_by_id == other.pk
        assert not homes["wuma2"].linked_homes.exists()

    def test_a_leader_returned_to_basic_or_closed_lets_go(self, homes):
        actions.do_link_home(None, homes["wuma1"], homes["wuma2"])
        actions.do_set_home_type(None, homes["wuma2"], HomeType.BASIC)
        assert ChildrensHome.objects.get(pk=homes["wuma1"].pk).led_by_id is None
        leader = recognise(homes["wuma2"], D(2024, 1, 1))
        actions.do_link_home(None, homes["wuma1"], leader)
        actions.do_close_home(None, leader, D(2025, 1, 1), "合并")
        assert ChildrensHome.objects.get(pk=homes["wuma1"].pk).led_by_id is None
        with pytest.raises(actions.HomeError):
            actions.do_link_home(None, homes["wuma1"], leader)

    def test_recognition_needs_level_and_date(self, homes):
        with pytest.raises(actions.HomeError) as exc:
            actions.do_set_home_type(None, homes["wuma1"], HomeType.DEMONSTRATION, "", D(2024, 1, 1))
        assert exc.value.field == "level"
        with pytest.raises(actions.HomeError) as exc:
            actions.do_set_home_type(None, homes["wuma1"], HomeType.DEMONSTRATION, "district", None)
        assert exc.value.field == "recognised_on"


# ----- coverage, worked out by hand -------------------------------------------------------------
#
# On 2022-12-31: 57 communities (14 streets × 4, plus 五马第五 not yet merged away).
#   五马: 001 (五有 since 2022-03-01) ✓, 002 ✓ (recognised only in 2023), 003 has 4 items ✗, 005 ✓ → 3, demo 0
#   松台: 001 ✓ (recognised 2024), 002 ✓ (closed only in 2024) → 2, demo 0
#   WEL-13 = 5/57, WEL-14 = 0/57, WEL-15 = 0, WEL-10 = 0/14
# On 2024-12-31: 56 communities (五马第五 gone, its home closed).
#   五马: 001 ✓, 002 ✓ demonstration, 003 ✗ → 2, demo 1;  松台: 001 ✓ demonstration, 002 closed → 1, demo 1
#   WEL-13 = 3/56 = 5.36%, WEL-14 = 2/56 = 3.57%, WEL-15 = 2, WEL-10 = 2/14 = 14.29%


@pytest.mark.django_db
class TestCoverage:
    def test_2022(self, homes):
        c = coverage(area("330302"), D(2022, 12, 31))
        assert (c.meeting_standard, c.communities, c.demonstration) == (5, 57, 0)
        assert (c.streets_with_demonstration, len(c.streets)) == (0, 14)
        wuma = c.streets[0]
        assert (wuma.street.code, wuma.communities, wuma.with_home, wuma.meeting_standard) == (WUMA, 5, 4, 3)

    def test_2024(self, homes):
        c = coverage(area("330302"), D(2024, 12, 31))
        assert (c.meeting_standard, c.communities, c.demonstration) == (3, 56, 2)
        assert str(c.basic_rate) == "5.36" and str(c.demonstration_rate) == "3.57" and str(c.street_rate) == "14.29"
        by_code = {s.street.code: s for s in c.streets}
        assert (by_code[WUMA].meeting_standard, by_code[WUMA].demonstration, by_code[WUMA].communities) == (2, 1, 4)
        assert (by_code[SONGTAI].meeting_standard, by_code[SONGTAI].demonstration) == (1, 1)
        assert all(s.meeting_standard == 0 for code, s in by_code.items() if code not in (WUMA, SONGTAI))

    def test_an_item_recorded_as_gone_no_longer_counts(self, homes):
        actions.do_set_standard_item(None, homes["wuma1"], "staff", None)
        assert coverage(area(WUMA), D(2024, 12, 31)).streets[0].meeting_standard == 1
        assert not StandardCheck.objects.filter(home=homes["wuma1"], item="staff").exists()

    def test_demo_homes_are_plausible_and_idempotent(self, db):
        first = load_demo_homes()
        assert load_demo_homes() == {"homes_created": 0, "demonstration_homes": 0, "activities_created": 0}
        c = coverage(area("330302"), D(2025, 12, 31))
        assert 0.8 <= c.with_home / c.communities < 1
        assert 0.12 <= c.demonstration / c.communities <= 0.22
        assert c.meeting_standard < c.with_home  # some 五有 items still missing
        assert first["activities_created"] == HomeActivity.objects.count() > 1000
        # every linked home is led by a demonstration home of its own street
        for home in ChildrensHome.objects.filter(led_by__isnull=False).select_related("led_by__community"):
            assert home.led_by.is_demonstration and home.led_by.street_code == home.street_code


# ----- permissions and audit --------------------------------------------------------------------


@pytest.mark.django_db
class TestWhoMayDoWhat:
    def test_directors_their_community_supervisors_their_street(self, users):
        home = actions.do_create_home(users.director, area(f"{WUMA}001"), Details("一社区之家", D(2021, 1, 1)))
        with pytest.raises(PermissionDenied):
            actions.do_create_home(users.director, area(f"{WUMA}002"), Details("x", D(2021, 1, 1)))
        with pytest.raises(PermissionDenied):
            actions.do_create_home(users.other_supervisor, area(f"{WUMA}002"), Details("x", D(2021, 1, 1)))
        actions.do_create_home(users.supervisor, area(f"{WUMA}002"), Details("二社区之家", D(2021, 1, 1)))
        actions.do_create_home(users.office, area(f"{SONGTAI}001"), Details("松台之家", D(2021, 1, 1)))
        actions.do_add_activity(users.director, home, Activity(D(2024, 7, 1), "暑期托管", "temporary_care", 18))
        with pytest.raises(PermissionDenied):
            actions.do_add_activity(users.other_director, home, Activity(D(2024, 7, 1), "x", "other", 1))
        for user in (users.leader, users.evaluator, users.reporter):
            with pytest.raises(PermissionDenied):
                actions.do_set_standard_item(user, home, "venue", D(2021, 1, 1), "台账")

    def test_only_the_office_recognises_and_only_supervisors_or_the_office_link(self, users, homes):
        for user in (users.director, users.supervisor):
            with pytest.raises(PermissionDenied):
                recognise_as(user, homes["wuma1"])
        with pytest.raises(PermissionDenied):
            actions.do_link_home(users.director, homes["wuma1"], homes["wuma2"])
        with pytest.raises(PermissionDenied):
            actions.do_link_home(users.other_supervisor, homes["wuma1"], homes["wuma2"])
        actions.do_link_home(users.supervisor, homes["wuma1"], homes["wuma2"])
        recognise_as(users.office, homes["wuma3"])

    def test_every_change_writes_one_audit_row(self, users):
        before = AuditEvent.objects.filter(action__startswith="registry.home.").count()
        home = actions.do_create_home(users.director, area(f"{WUMA}001"), Details("之家", D(2021, 1, 1)))
        actions.do_set_standard_item(users.director, home, "venue", D(2021, 2, 1), "活动室")
        activity = actions.do_add_activity(users.director, home, Activity(D(2024, 3, 2), "亲子阅读", "recreation", 12))
        actions.do_delete_activity(users.director, activity, "重复录入")
        events = list(
            AuditEvent.objects.filter(action__startswith="registry.home.")
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert len(events) - before == 4
        assert events[-4:] == [
            "registry.home.create",
            "registry.home.standard",
            "registry.home.activity_add",
            "registry.home.activity_delete",
        ]
        last = AuditEvent.objects.filter(action="registry.home.activity_delete").get()
        assert last.detail["was"]["attendance"] == 12 and last.area_code == f"{WUMA}001"


def recognise_as(user, home):
    return actions.do_set_home_type(user, home, HomeType.DEMONSTRATION, "district", D(2024, 1, 1))


# ----- pages ------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestPages:
    def test_office_sees_the_district_with_coverage(self, client, users, homes):
        client.force_login(users.office)
        page = client.get("/registry/homes/?year=2024").content.decode()
        assert "五马街道" in page and "山福镇" in page and "5.36" in page

    def test_supervisor_and_director_go_to_their_street(self, client, users, homes):
        client.force_login(users.supervisor)
        response = client.get("/registry/homes/")
        assert response.status_code == 302 and response.url == f"/registry/homes/streets/{WUMA}/"
        page = client.get(response.url).content.decode()
        assert "330302001001之家" in page and "330302001003之家" in page and "4/5" in page
        client.force_login(users.director)
        page = client.get(f"/registry/homes/streets/{WUMA}/").content.decode()
        assert "330302001001之家" in page and "330302001003之家" not in page
        assert client.get(f"/registry/homes/streets/{SONGTAI}/").status_code == 403

    def test_street_list_query_count_does_not_grow_with_homes(
        self, client, users, homes, django_assert_max_num_queries
    ):
        client.force_login(users.supervisor)
        with django_assert_max_num_queries(20):
            assert client.get(f"/registry/homes/streets/{WUMA}/").status_code == 200

    def test_home_page_shows_the_checklist_and_activities(self, client, users, homes):
        actions.do_add_activity(None, homes["wuma3"], Activity(D(2024, 5, 1), "防溺水宣传", "protection", 23))
        client.force_login(users.director)
        assert client.get(f"/registry/homes/{homes['wuma3'].pk}/").status_code == 403  # another community's
        client.force_login(users.supervisor)
        page = client.get(f"/registry/homes/{homes['wuma3'].pk}/?year=2024").content.decode()
        assert "有常态管理" in page or "regular management" in page
        assert "防溺水宣传" in page and "23" in page and "4/5" in page

    def test_reading_roles_and_refused_roles(self, client, users, homes):
        url = f"/registry/homes/{homes['wuma1'].pk}/"
        for role in ("office", "leader", "evaluator", "supervisor", "director"):
            client.force_login(getattr(users, role))
            assert client.get(url).status_code == 200, role
        for role in ("reporter", "reviewer", "other_supervisor", "other_director"):
            client.force_login(getattr(users, role))
            assert client.get(url).status_code == 403, role
        client.force_login(users.leader)
        assert client.post(f"{url}activities/new/", {}).status_code == 403

    def test_a_bad_form_keeps_what_was_typed_and_changes_nothing(self, client, users, homes):
        client.force_login(users.director)
        url = f"/registry/homes/{homes['wuma1'].pk}/activities/new/"
        response = client.post(
            url, {"held_on": "2019-01-01", "title": "太早的活动", "kind": "education", "attendance": "9"}
        )
        assert response.status_code == 422
        page = response.content.decode()
        assert "太早的活动" in page and "2019-01-01" in page
        assert not HomeActivity.objects.filter(title="太早的活动").exists()
        response = client.post(
            url, {"held_on": "2024-01-01", "title": "寒假托管", "kind": "temporary_care", "attendance": "15"}
        )
        assert response.status_code == 302
        assert HomeActivity.objects.get(title="寒假托管").attendance == 15

    def test_create_then_recognise_then_link_through_the_pages(self, client, users, homes):
        client.force_login(users.director)
        assert client.get(f"/registry/homes/new/{WUMA}004/").status_code == 403  # not the director's community
        client.force_login(users.supervisor)
        response = client.post(f"/registry/homes/new/{WUMA}004/", {"name": "四社区儿童之家", "opened_on": "2022-09-01"})
        assert response.status_code == 302
        new = ChildrensHome.objects.get(community__code=f"{WUMA}004")
        assert client.post(f"/registry/homes/{new.pk}/type/", {"home_type": "demonstration"}).status_code == 403
        response = client.post(f"/registry/homes/{new.pk}/link/", {"led_by": homes["songtai1"].pk})
        assert response.status_code == 422  # not offered: another street's
        assert client.post(f"/registry/homes/{new.pk}/link/", {"led_by": homes["wuma2"].pk}).status_code == 302
        client.force_login(users.office)
        response = client.post(
            f"/registry/homes/{homes['wuma1'].pk}/type/",
            {"home_type": "demonstration", "level": "province", "recognised_on": "2025-03-01"},
        )
        assert response.status_code == 302
        assert ChildrensHome.objects.get(pk=homes["wuma1"].pk).get_level_display() in ("省级", "province level")

    def test_coverage_page(self, client, users, homes):
        client.force_login(users.office)
        page = client.get("/plans/lucheng-2021-2025/homes/coverage/").content.decode()
        assert "WEL-13" in page and "WEL-15" in page and "3/56" in page and "5/57" in page
        client.force_login(users.supervisor)
        page = client.get("/plans/lucheng-2021-2025/homes/coverage/").content.decode()
        assert "WEL-15" not in page and "2/4" in page  # 五马 in 2024: 2 of 4 communities
