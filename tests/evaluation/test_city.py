"""A city above its districts: a made-up city 990100 (tests/data/city-*.yaml) whose newborn visit rate
is derived from two made-up districts' accepted values (summed numerators and denominators), never
typed; the city's users see its districts' plans, a district's users never the other district's."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.template import Context, Template

from childfirst.accounts.models import Role
from childfirst.areas.loader import load_areas
from childfirst.areas.models import Area
from childfirst.collection import actions
from childfirst.collection.entries import RawCell
from childfirst.collection.models import Channel, DataValue, Submission
from childfirst.collection.scope import round_indicators
from childfirst.datafile import DataFileInvalid
from childfirst.evaluation.actions import do_publish
from childfirst.evaluation.city import describe
from childfirst.evaluation.data import collect, evaluate_plan
from childfirst.plans.access import user_can_see_plan, visible_plan
from childfirst.plans.loader import load_plan
from childfirst.plans.models import Plan

from ..collection.test_collection_workflow import run_second_district_round
from ..conftest import DATA, make_user


@pytest.fixture
def city(second_district):
    load_areas(DATA / "city-areas.yaml")
    third = load_plan(DATA / "third-district-plan.yaml").plan
    city_plan = load_plan(DATA / "city-plan.yaml").plan
    return {
        "plan": city_plan,
        "second": second_district,
        "third": third,
        "third_office": make_user("madeup2-office", Role.OFFICE, area="990102"),
        "third_reporter": make_user("madeup2-reporter", Role.DEPT_REPORTER, department="health", district="990102"),
        "third_reviewer": make_user("madeup2-reviewer", Role.DEPT_REVIEWER, department="health", district="990102"),
        "city_office": make_user("city-office", Role.OFFICE, area="990100"),
    }


def run_third_district_round(city, year: int, visited: str, born: str) -> Submission:
    """District 990102 reports the rate for the whole district; its health department's round, accepted."""
    office, reporter, reviewer = city["third_office"], city["third_reporter"], city["third_reviewer"]
    reporting_round = actions.do_open_round(office, city["third"], year, datetime.date(year + 1, 3, 31))
    submission = Submission.objects.get(round=reporting_round, department__code="health")
    cells = [RawCell("HEA-01", "990102", numerator=visited, denominator=born)]
    actions.save_values(reporter, submission, cells, channel=Channel.WEB)
    submission.refresh_from_db()
    submission = actions.do_submit(reporter, submission, submission.version)
    submission = actions.do_approve(reviewer, submission, submission.version)
    return actions.do_accept(office, submission, submission.version)


def city_point(plan, year):
    indicator = plan.indicators.get(code="HEA-01")
    return collect(plan, year).points[(indicator.pk, "990100")][year]


@pytest.mark.django_db
class TestCityFigures:
    def test_the_city_figure_is_the_sum_of_its_districts(self, city):
        # 990101 reports by street: 96 + 91 of 100 + 100 newborns; its total is derived from them.
        run_second_district_round(city["second"], 2025, {"990101001": "96", "990101002": "91"}, deaths="3.5")
        one = city_point(city["plan"], 2025)
        assert (one.numerator, one.denominator, one.value) == (187, 200, 93.5)
        assert one.derived and one.source["districts_expected"] == 2
        assert [d["code"] for d in one.source["derived_from_districts"]] == ["990101"]
        assert one.source["districts_missing"] == [{"code": "990102", "name": "示例虚构二区"}]
        assert describe(one.source) == "由2个区中的1个区汇总（示例虚构区）；缺：示例虚构二区"
        # As the indicator page's provenance column shows it.
        column = Template("{% load evaluation_tags %}{{ source|city_provenance }}")
        shown = column.render(Context({"source": one.source}))
        assert shown == describe(one.source)

        # 990102 reports the district as a whole: 45 of 50.
        run_third_district_round(city, 2025, visited="45", born="50")
        both = city_point(city["plan"], 2025)
        assert (both.numerator, both.denominator) == (187 + 45, 200 + 50)
        assert both.value == pytest.approx(92.8)  # 232/250 in %, not the mean of 93.5 and 90
        assert both.source["districts_missing"] == []
        assert {d["name"] for d in both.source["derived_from_districts"]} == {"示例虚构区", "示例虚构二区"}

        [row] = evaluate_plan(city["plan"], 2025)
        assert row.area.code == "990100" and row.result.latest_value == pytest.approx(92.8)
        assert row.result.status == "not_achieved"  # 92.8% in the target year, below ≥ 95%
        # Derived, never typed: the city plan has no values of its own, and no round asks for them.
        assert not DataValue.objects.filter(round__plan=city["plan"]).exists()
        assert round_indicators(city["plan"], 2025) == []
        assert [i.code for i in round_indicators(city["third"], 2025)] == ["HEA-01"]

    def test_years_without_data_are_empty_and_drafts_do_not_count(self, city):
        run_second_district_round(city["second"], 2024, {"990101001": "90", "990101002": "90"}, deaths="3.5")
        points = collect(city["plan"], 2025).points[(city["plan"].indicators.get(code="HEA-01").pk, "990100")]
        assert points[2024].numerator == 180 and points[2025].value is None
        assert describe(points[2025].source) == "由2个区中的0个区汇总（—）；缺：示例虚构区、示例虚构二区"
        # A submitted but not accepted value is not a figure of record, at the district or the city.
        reporting_round = actions.do_open_round(city["third_office"], city["third"], 2025, datetime.date(2026, 3, 31))
        draft = Submission.objects.get(round=reporting_round, department__code="health")
        actions.save_values(
            city["third_reporter"], draft, [RawCell("HEA-01", "990102", numerator="1", denominator="2")],
            channel=Channel.WEB,
        )  # fmt: skip
        assert city_point(city["plan"], 2025).value is None

    def test_a_district_plan_has_no_figures_from_elsewhere(self, city):
        run_third_district_round(city, 2025, visited="45", born="50")
        point = collect(city["third"], 2025).points[(city["third"].indicators.get(code="HEA-01").pk, "990102")][2025]
        assert (point.numerator, point.denominator, point.derived) == (45, 50, False)


@pytest.mark.django_db
class TestCityScope:
    def test_who_sees_what(self, client, city, plan):
        city_office, second = city["city_office"], city["second"]
        madeup, madeup2, city_plan = second.plan, city["third"], city["plan"]
        for seen in (city_plan, madeup, madeup2):
            assert user_can_see_plan(city_office, seen)
        assert not user_can_see_plan(city_office, plan)  # Lucheng is in no made-up city
        for user in (second.office, second.reporter, second.supervisor):
            assert not user_can_see_plan(user, madeup2), user
            assert not user.can_see_area(Area.objects.get(code="990102001")), user
        assert not user_can_see_plan(city["third_office"], madeup)
        assert city_office.can_see_area(Area.objects.get(code="990102001001"))
        assert city_office.can_see_area(Area.objects.get(code="990101001"))
        client.force_login(city_office)
        listing = client.get("/plans/").content.decode()
        assert all(p.name in listing for p in (city_plan, madeup, madeup2)) and plan.name not in listing
        tree = client.get("/areas/").content.decode()
        assert all(name in tree for name in ("示例虚构市", "示例虚构区", "示例虚构二区", "东虚街道", "南拟街道"))
        assert '<th scope="col">区县</th>' in tree  # the city's rows are districts
        assert visible_plan(city_office) == city_plan  # its own plan first, not a district's
        assert visible_plan(second.office) == madeup and visible_plan(second.reporter) == madeup
        assert client.get("/areas/990102001/").status_code == 200
        client.force_login(second.office)
        assert client.get("/plans/madeup2-2021-2025/").status_code == 403
        assert client.get("/areas/990100/").status_code == 403
        assert client.get("/areas/990102/").status_code == 403

    def test_a_city_office_reads_its_districts_plans_but_runs_only_its_own(self, city):
        city_office, second = city["city_office"], city["second"]
        with pytest.raises(PermissionDenied):
            actions.do_open_round(city_office, second.plan, 2025, datetime.date(2026, 3, 31))
        madeup_round = actions.do_open_round(second.office, second.plan, 2025, datetime.date(2026, 3, 31))
        submission = Submission.objects.get(round=madeup_round, department__code="health")
        with pytest.raises(PermissionDenied):
            actions.do_accept(city_office, submission, submission.version)
        with pytest.raises(PermissionDenied):
            do_publish(city_office, second.plan, 2025, reason="not the city's")
        with pytest.raises(PermissionDenied):
            do_publish(second.office, city["plan"], 2025, reason="not the district's")
        assert do_publish(city_office, city["plan"], 2025, reason="测试").plan == city["plan"]

    def test_the_city_office_pages_open(self, client, city):
        """Every page a city office reaches from the navigation answers, none with an error: the pages
        written for a district's office take a city scope too."""
        client.force_login(city["city_office"])
        pages = [
            "/", "/plans/", "/indicators/", "/areas/", "/areas/990100/", "/collection/", "/evaluation/",
            "/reports/", "/registry/children/", "/registry/homes/", "/registry/homes/coverage/",
            "/registry/reports/", "/linkage/", "/linkage/tasks/", "/inbox/", "/open/",
        ]  # fmt: skip
        for url in pages:
            response = client.get(url, follow=True)
            assert response.status_code in (200, 403), (url, response.status_code)
        assert client.get("/plans/madeupcity-2021-2025/homes/coverage/").status_code == 200

    def test_department_lists_stay_with_the_districts(self, client, city):
        from childfirst.linkage.importing import district_of

        for code in (None, "990102"):
            with pytest.raises(PermissionDenied):
                district_of(city["city_office"], code)  # lists name children: never the city's
        assert district_of(city["third_office"]).code == "990102"
        client.force_login(city["city_office"])
        assert client.get("/linkage/").status_code == 403

    def test_the_city_tree(self, city):
        city_area = Area.objects.get(code="990100")
        assert city_area.level == "city" and city_area.prefix == "9901"
        assert set(Area.objects.within(city_area).districts().values_list("code", flat=True)) == {"990101", "990102"}
        assert Area.objects.get(code="990101").parent == city_area
        street = Area.objects.get(code="990102001")
        assert street.ancestors() == [Area.objects.get(code="990102")]  # the district comes first, never the city
        assert city_area.street() is None


@pytest.mark.django_db
class TestCityFiles:
    def test_a_city_code_ends_in_00_and_a_district_code_shares_its_prefix(self, tmp_path):
        bad = tmp_path / "areas.yaml"
        bad.write_text(
            "schema_version: 1\nareas:\n"
            "  - {code: '990150', name: 坏市, level: city,\n"
            "     children: [{code: '990201', name: 坏区, level: district}]}\n",
            encoding="utf-8",
        )
        with pytest.raises(DataFileInvalid) as invalid:
            load_areas(bad)
        text = "\n".join(map(str, invalid.value.problems))
        assert "00" in text and "990201" in text
        assert not Area.objects.filter(code__in=["990150", "990201"]).exists()

    def test_only_a_city_plan_sums_its_districts(self, second_district, tmp_path):
        text = (DATA / "second-district-plan.yaml").read_text(encoding="utf-8")
        text = text.replace("source_document: second-district-plan.txt", "")
        text = text.replace("    measures: [1]\n", "    measures: [1]\n    from_districts: HEA-01\n", 1)
        text = text.replace("code: madeup-2021-2025", "code: madeup-summed")
        path = tmp_path / "plan.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(DataFileInvalid) as invalid:
            load_plan(path)
        problems = "\n".join(map(str, invalid.value.problems))
        assert "990101" in problems and "from_districts" in problems
        assert not Plan.objects.filter(code="madeup-summed").exists()
