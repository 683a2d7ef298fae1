"""The made-up district 990101 (tests/data/second-district-*) beside Lucheng, end to end: its plan
loaded, a round collected and accepted, evaluated, published, its annual report built, its portal
pages, its registry counts — each from its own data only — and each district's users seeing only
their own district. Collection, evaluation and reports are driven through actions and commands
(their pages' URLs are moving under /plans/<plan>/); catalogue, area, registry and portal pages
through their URLs."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command
from docx import Document

from childfirst.accounts.models import Role
from childfirst.areas.models import Area
from childfirst.evaluation.actions import do_publish
from childfirst.plans.models import Department, Plan
from childfirst.registry.aggregates import children_by_category
from childfirst.registry.children.actions import ChildData, do_create_child
from childfirst.registry.models import CategoryType

from ..collection.test_collection_workflow import run_second_district_round
from ..conftest import make_user
from ..reports.test_report_documents import texts

MADEUP = "madeup-2021-2025"
LUCHENG = "lucheng-2021-2025"
# Names that belong to one district only: none may appear in the other's pages, files or counts.
LUCHENG_NAMES = ("鹿城", "五马街道", "松台街道")
MADEUP_NAMES = ("示例虚构区", "东虚街道", "西拟镇")

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def child_in(director, community: str, name: str):
    return do_create_child(
        director,
        ChildData(
            name=name,
            sex="female",
            birth_date=datetime.date(2016, 5, 1),
            residence_area=Area.objects.get(code=community),
            categories=[(CategoryType.objects.get(code="left_behind"), datetime.date(2024, 1, 1), "走访核实")],
        ),
    )


@pytest.fixture
def districts(second_district, users):
    """Both districts with a child each, the made-up district's 2024 and 2025 rounds accepted and
    both plans' 2025 evaluations published."""
    d = second_district
    d.director = make_user("madeup-director", Role.COMMUNITY_DIRECTOR, area="990101001001")
    d.child = child_in(d.director, "990101001001", "虚构童")
    d.lucheng_child = child_in(users.director, "330302001001", "鹿城童")
    run_second_district_round(d, 2024, {"990101001": "93", "990101002": "90"}, deaths="3.9")
    run_second_district_round(d, 2025, {"990101001": "96", "990101002": "91"}, deaths="3.5")
    do_publish(d.office, d.plan, 2025, "test", reason="测试")
    do_publish(users.office, Plan.objects.get(code=LUCHENG), 2025, "test", reason="测试")
    return d


def test_the_loader_keeps_the_two_plans_apart(second_district, plan):
    madeup = second_district.plan
    assert madeup.area.code == "990101" and plan.area.code == "330302"
    assert set(Department.objects.filter(area__code="990101").values_list("code", flat=True)) == {
        "health",
        "education",
    }
    assert set(madeup.indicators.values_list("code", flat=True)) == {"HEA-01", "HEA-02"}
    assert plan.indicators.count() > 50  # Lucheng's catalogue is untouched by the other district's load
    assert {r["code"] for r in json.loads(run("plan_list", "--json"))} == {LUCHENG, MADEUP}


def test_evaluate_reports_its_own_district_and_streets(districts):
    text = run("evaluate", "--plan", MADEUP, "--year", "2025")
    assert districts.plan.name in text and "HEA-01" in text and not any(n in text for n in LUCHENG_NAMES)
    rows = json.loads(run("evaluate", "--plan", MADEUP, "--year", "2025", "--json"))
    assert {r["area"] for r in rows} == {"990101", "990101001", "990101002"}
    district = {r["indicator"]: r for r in rows if r["area"] == "990101"}
    assert district["HEA-01"]["latest_value"] == pytest.approx(93.5)  # 187 of 200, from its streets
    assert district["HEA-02"]["latest_value"] == pytest.approx(3.5)


def test_the_annual_report_names_its_district_only(districts, tmp_path):
    printed = run("report", "annual", "--plan", MADEUP, "--year", "2025", "--out", str(tmp_path))
    [docx] = [line for line in printed.split() if line.endswith(".docx")]
    lines = "\n".join(texts(Document(docx)))
    assert "示例虚构区" in lines and "新生儿访视率" in lines
    assert not any(name in lines for name in LUCHENG_NAMES)


def test_the_portal_shows_each_plan_with_its_own_figures(client, districts):
    index = client.get("/open/").content.decode()
    assert districts.plan.name in index and "鹿城区" in index
    for url in (f"/open/{MADEUP}/", f"/open/{MADEUP}/domains/health/", f"/open/{MADEUP}/indicators/HEA-01/"):
        page = client.get(url).content.decode()
        assert districts.plan.name in page and not any(name in page for name in LUCHENG_NAMES), url
    assert "93.5" in client.get(f"/open/{MADEUP}/indicators/HEA-01/").content.decode()
    for url in (f"/open/{LUCHENG}/", f"/open/{LUCHENG}/domains/health/", f"/open/{LUCHENG}/indicators/HEA-04/"):
        page = client.get(url).content.decode()
        assert "鹿城区" in page and not any(name in page for name in MADEUP_NAMES), url
    csv = client.get(f"/open/{MADEUP}/data/HEA-01.csv").content.decode("utf-8-sig")
    assert "93.5" in csv and "330302" not in csv


def test_registry_counts_go_to_their_own_plan(districts):
    madeup = children_by_category(districts.plan.area, 2025)
    assert madeup["left_behind"] == {"990101001": 1, "990101002": 0}
    payload = json.loads(run("registry_aggregates", "--plan", MADEUP, "--year", "2025", "--json"))
    assert payload["children_by_category"]["left_behind"] == {"990101001": 1, "990101002": 0}
    lucheng = json.loads(run("registry_aggregates", "--plan", LUCHENG, "--year", "2025", "--json"))
    assert lucheng["children_by_category"]["left_behind"]["330302001"] == 1
    assert not any(
        code.startswith("9901") for by_street in lucheng["children_by_category"].values() for code in by_street
    )
    assert "虚构童" not in json.dumps(payload, ensure_ascii=False)  # counts only


class TestEachDistrictSeesItsOwn:
    def test_catalogue_and_plan_pages(self, client, districts, users):
        for user, own, other in ((districts.office, MADEUP, LUCHENG), (users.office, LUCHENG, MADEUP)):
            client.force_login(user)
            # The plans list: each sees one plan, its own, and is taken straight to it.
            assert client.get("/plans/").url == f"/plans/{own}/"
            assert client.get(f"/plans/{own}/").status_code == 200
            assert client.get(f"/plans/{own}/indicators/HEA-01/").status_code == 200
            for url in (f"/plans/{other}/", f"/plans/{other}/indicators/", f"/plans/{other}/indicators/HEA-01/"):
                assert client.get(url).status_code == 403, (user, url)
        client.force_login(districts.reporter)
        assert "婴儿死亡率" in client.get("/indicators/", follow=True).content.decode()

    def test_area_pages(self, client, districts, users):
        client.force_login(districts.office)
        tree = client.get("/areas/").content.decode()
        assert "东虚街道" in tree and "五马街道" not in tree
        assert client.get("/areas/990101001/").status_code == 200
        assert client.get("/areas/330302001/").status_code == 403
        client.force_login(users.office)
        tree = client.get("/areas/").content.decode()
        assert "五马街道" in tree and "东虚街道" not in tree
        assert client.get("/areas/990101/").status_code == 403

    def test_registry_child_lists(self, client, districts, users):
        for user, own, other in (
            (districts.supervisor, districts.child, districts.lucheng_child),
            (districts.director, districts.child, districts.lucheng_child),
            (users.supervisor, districts.lucheng_child, districts.child),
            (users.director, districts.lucheng_child, districts.child),
        ):
            client.force_login(user)
            listing = client.get("/registry/children/").content.decode()
            assert own.name in listing and other.name not in listing, user
            assert client.get(f"/registry/children/{other.pk}/").status_code in (403, 404), user
