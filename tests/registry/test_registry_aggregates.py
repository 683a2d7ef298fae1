"""Aggregates the registry offers to monitoring: children by category and street per year, the
homes' coverage as prefilled values, shown on the department's entry page and applied to its
draft without ever replacing an entered value; only codes and numbers cross."""

from __future__ import annotations

import dataclasses
import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils.html import escape

from childfirst.accounts.models import Role
from childfirst.areas.models import Area
from childfirst.collection.actions import Channel, save_values
from childfirst.collection.entries import RawCell
from childfirst.collection.models import DataValue, Submission, ValueChange
from childfirst.collection.prefill import SOURCE_LABELS, apply_prefills, prefills_for
from childfirst.homes import actions as homes_actions
from childfirst.homes.models import HomeType, StandardItem
from childfirst.registry.aggregates import check_mapping, children_by_category, count_children, prefills
from childfirst.registry.children.actions import ChildData, do_create_child, do_end_category, do_exit_child
from childfirst.registry.models import CategoryType

from ..conftest import make_user

D = datetime.date
WUMA, SONGTAI = "330302001", "330302002"
KEY_CATEGORIES = ["orphan", "de_facto_unsupported", "distress", "left_behind"]


def area(code: str) -> Area:
    return Area.objects.get(code=code)


def category(code: str) -> CategoryType:
    return CategoryType.objects.get(code=code)


@pytest.fixture
def children(users):
    """Children in 五马 and 松台 with category periods worked out by hand for 2024:

    五马: 甲 orphan since 2020 · 乙 two distress sub-types since 2023 (one child once) · 丙 left-behind
          2019–2023 (ended 2023-09-01: not in 2024) · 丁 orphan and left-behind since 2024
    松台: 戊 left-behind since 2022, file closed 2023-12-01 (not in 2024) · 己 migrant only since 2021
    """
    wuma, songtai = users.supervisor, users.other_supervisor

    def child(actor, name, community, birth, categories):
        data = ChildData(
            name, "female", birth, area(community), categories=[(category(c), s, "") for c, s in categories]
        )
        return do_create_child(actor, data)

    child(wuma, "甲", f"{WUMA}001", D(2012, 1, 1), [("orphan", D(2020, 5, 1))])
    child(
        wuma,
        "乙",
        f"{WUMA}002",
        D(2013, 1, 1),
        [("distress_poverty", D(2023, 2, 1)), ("distress_illness", D(2023, 3, 1))],
    )
    bing = child(wuma, "丙", f"{WUMA}001", D(2014, 1, 1), [("left_behind", D(2019, 1, 1))])
    do_end_category(wuma, bing.categories.get(), D(2023, 9, 1))
    child(wuma, "丁", f"{WUMA}003", D(2015, 1, 1), [("orphan", D(2024, 2, 1)), ("left_behind", D(2024, 2, 1))])
    wu = child(songtai, "戊", f"{SONGTAI}001", D(2016, 1, 1), [("left_behind", D(2022, 1, 1))])
    do_exit_child(songtai, wu, "moved_away", D(2023, 12, 1))
    child(songtai, "己", f"{SONGTAI}002", D(2017, 1, 1), [("migrant", D(2021, 1, 1))])


@pytest.fixture
def homes(db):
    """五马: 001 meets 五有, 002 demonstration (meets 五有), 003 four items; 松台: 001 meets 五有.
    On 2025-12-31: WEL-13 五马 2/4, 松台 1/4, district 3/56; WEL-14 五马 1/4, district 1/56;
    WEL-15 = 1; WEL-10 五马 1/1, 松台 0/1, district 1/14."""
    made = {}
    for code, items in ((f"{WUMA}001", 5), (f"{WUMA}002", 5), (f"{WUMA}003", 4), (f"{SONGTAI}001", 5)):
        home = homes_actions.do_create_home(None, area(code), homes_actions.HomeDetails(f"{code}之家", D(2021, 1, 1)))
        for item in list(StandardItem)[:items]:
            homes_actions.do_set_standard_item(None, home, item, D(2021, 6, 1), "台账")
        made[code] = home
    homes_actions.do_set_home_type(None, made[f"{WUMA}002"], HomeType.DEMONSTRATION, "district", D(2023, 1, 1))
    return made


@pytest.fixture
def civil(round_2025):
    reporter = make_user("civil-reporter", Role.DEPT_REPORTER, department="civil-affairs")
    submission = Submission.objects.select_related("round__plan", "department").get(
        round=round_2025, department__code="civil-affairs"
    )
    return reporter, submission


@pytest.mark.django_db
class TestChildrenByCategory:
    def test_counts_by_category_and_street(self, children):
        table = children_by_category(area("330302"), 2024)
        assert table["orphan"][WUMA] == 2  # 甲, 丁
        assert table["distress"][WUMA] == 1  # 乙 once, although in two sub-types
        assert table["left_behind"][WUMA] == 1  # 丁; 丙's period ended in 2023
        assert table["left_behind"][SONGTAI] == 0  # 戊's file closed in 2023
        assert table["migrant"][SONGTAI] == 1
        assert table["de_facto_unsupported"] == dict.fromkeys(table["orphan"], 0)
        assert len(table["orphan"]) == 14  # every street, 0 included
        assert sum(table["orphan"].values()) == 2

    def test_earlier_years_read_their_own_periods(self, children):
        table = children_by_category(area("330302"), 2023)
        assert table["left_behind"][WUMA] == 1 and table["left_behind"][SONGTAI] == 1  # 丙 until Sept., 戊 until Dec.
        assert table["orphan"][WUMA] == 1

    def test_key_children_count_each_child_once(self, children):
        counts = count_children(area("330302"), 2024, KEY_CATEGORIES)
        assert counts[WUMA] == 3 and counts[SONGTAI] == 0  # 甲, 乙, 丁 (丁 in two categories, once)


@pytest.mark.django_db
class TestPrefills:
    def test_homes_figures_match_the_hand_computation(self, plan, homes, children):
        found = {
            (p.indicator, p.area): p for p in prefills(plan, 2025, ["WEL-10", "WEL-12", "WEL-13", "WEL-14", "WEL-15"])
        }
        assert (found["WEL-13", WUMA].numerator, found["WEL-13", WUMA].denominator) == (2, 4)
        assert (found["WEL-13", SONGTAI].numerator, found["WEL-13", SONGTAI].denominator) == (1, 4)
        assert (found["WEL-14", WUMA].numerator, found["WEL-14", SONGTAI].numerator) == (1, 0)
        assert (
            found["WEL-10", WUMA].numerator,
            found["WEL-10", SONGTAI].numerator,
            found["WEL-10", WUMA].denominator,
        ) == (1, 0, 1)
        assert found["WEL-15", "330302"].value == 1 and ("WEL-15", WUMA) not in found  # a district figure
        assert found["WEL-12", WUMA].numerator == 3 and found["WEL-12", WUMA].denominator is None
        assert sum(p.numerator for k, p in found.items() if k[0] == "WEL-13") == 3
        assert sum(p.denominator for k, p in found.items() if k[0] == "WEL-13") == 56

    def test_read_from_the_count_table_they_equal_a_recount(self, plan, homes, children, monkeypatch):
        """The suggestions from the count table (issue 16) are those the recount of the files gives."""
        from childfirst.registry.aggregates import counts

        codes = ["WEL-10", "WEL-12", "WEL-13", "WEL-14", "WEL-15"]
        for year in (2023, 2024, 2025):
            from_table = prefills(plan, year, codes)
            monkeypatch.setattr(counts, "count_children", counts.recounted_children)
            assert prefills(plan, year, codes) == from_table
            monkeypatch.undo()

    def test_only_codes_and_numbers_cross(self, plan, homes, children):
        payload = [dataclasses.asdict(p) for p in prefills(plan, 2025, plan.indicators.values_list("code", flat=True))]
        assert payload
        for item in payload:
            assert set(item) == {"indicator", "area", "source", "value", "numerator", "denominator"}
            assert re.fullmatch(r"[A-Z]{3}-\d{2}", item["indicator"]) and re.fullmatch(
                r"\d{6}(\d{3}){0,2}", item["area"]
            )
            assert item["source"] == "registry"
            assert all(item[k] is None or isinstance(item[k], Decimal) for k in ("value", "numerator", "denominator"))
        out = io.StringIO()
        call_command("registry_aggregates", year=2024, json=True, stdout=out)
        text = out.getvalue()
        assert json.loads(text)["children_by_category"]["orphan"][WUMA] == 2
        assert not any(name in text for name in "甲乙丙丁戊己")

    def test_which_indicators_is_data(self, plan, tmp_path):
        assert check_mapping() == []
        broken = tmp_path / "aggregates.yaml"
        broken.write_text(
            "schema_version: 1\nplans:\n  lucheng-2021-2025:\n    WEL-15: {aggregate: homes_basic_coverage}\n"
            "    WEL-13: {aggregate: nothing}\n    XXX-01: {aggregate: children_in_categories, categories: [nobody]}\n",
            encoding="utf-8",
        )
        problems = "\n".join(check_mapping(broken))
        assert "WEL-15" in problems and "nothing" in problems and "XXX-01" in problems and "nobody" in problems


def one_row(page: str, key: str) -> str:
    start = page.index(f'data-row="{key}"')
    return page[start : page.index("</tr>", start)]


@pytest.mark.django_db
class TestEntryPage:
    def test_a_suggestion_with_a_one_click_fill(self, client, homes, civil):
        reporter, _submission = civil
        client.force_login(reporter)
        page = client.get("/plans/lucheng-2021-2025/collection/rounds/2025/civil-affairs/").content.decode()
        label = escape(str(SOURCE_LABELS["registry"]))
        assert f"{label}: 2 / 4 = 50" in page  # WEL-13 五马
        assert 'data-prefill data-numerator="2" data-denominator="4"' in page
        district_row = one_row(page, "WEL-15|330302")
        assert f"{label}: 1 " in district_row and 'data-value="1"' in district_row  # a count for the district

    def test_no_suggestion_for_other_departments(self, client, users, round_2025, homes):
        client.force_login(users.reporter)
        page = client.get("/plans/lucheng-2021-2025/collection/rounds/2025/health/").content.decode()
        assert escape(str(SOURCE_LABELS["registry"])) not in page and "data-prefill" not in page

    def test_an_entered_value_that_differs_is_flagged_not_offered(self, client, homes, civil):
        reporter, submission = civil
        cell = RawCell("WEL-13", WUMA, numerator="1", denominator="4")
        save_values(reporter, submission, [cell], channel=Channel.WEB)
        client.force_login(reporter)
        page = client.get("/plans/lucheng-2021-2025/collection/rounds/2025/civil-affairs/").content.decode()
        row = one_row(page, "WEL-13|330302001")
        assert "data-prefill" not in row and "tag warn" in row


@pytest.mark.django_db
class TestApply:
    def test_fills_only_what_nobody_answered_and_reports_the_rest(self, plan, homes, civil):
        reporter, submission = civil
        save_values(
            reporter, submission, [RawCell("WEL-13", WUMA, numerator="1", denominator="4")], channel=Channel.WEB
        )
        save_values(
            reporter, submission, [RawCell("WEL-14", WUMA, numerator="1", denominator="4")], channel=Channel.WEB
        )
        save_values(
            reporter, submission, [RawCell("WEL-15", "330302", missing_reason="待民政局核定")], channel=Channel.WEB
        )
        found = list(prefills_for(plan, 2025, ["WEL-10", "WEL-12", "WEL-13", "WEL-14", "WEL-15"]).values())
        result = apply_prefills(reporter, submission, found)
        assert {(p.indicator, p.area) for p, _stored in result.conflicts} == {("WEL-13", WUMA), ("WEL-15", "330302")}
        assert [(p.indicator, p.area) for p in result.same] == [("WEL-14", WUMA)]
        assert {p.indicator for p in result.partial} == {"WEL-12"}  # numerator only: for the page
        kept = DataValue.objects.get(submission=submission, indicator__code="WEL-13", area__code=WUMA)
        assert (kept.numerator, kept.denominator, kept.channel) == (1, 4, "web")
        assert DataValue.objects.get(submission=submission, indicator__code="WEL-15").missing_reason == "待民政局核定"
        filled = DataValue.objects.get(submission=submission, indicator__code="WEL-13", area__code=SONGTAI)
        assert (filled.numerator, filled.denominator, filled.channel) == (1, 4, "registry")
        assert filled.source_note and filled.updated_by == reporter
        assert ValueChange.objects.filter(data_value=filled, channel="registry").count() == 1
        assert not DataValue.objects.filter(submission=submission, indicator__code="WEL-12").exists()

        again = apply_prefills(reporter, submission, found)
        assert not again.filled and len(again.conflicts) == 2

    def test_the_command(self, homes, civil):
        reporter, submission = civil
        save_values(
            reporter, submission, [RawCell("WEL-13", WUMA, numerator="1", denominator="4")], channel=Channel.WEB
        )
        out = io.StringIO()
        call_command("registry_aggregates", year=2025, apply=True, user=reporter.username, stdout=out)
        text = out.getvalue()
        assert "WEL-13 330302001" in text  # the conflict, reported
        assert DataValue.objects.filter(submission=submission, channel="registry").count() == 14 * 3 - 1 + 1
        assert DataValue.objects.get(submission=submission, indicator__code="WEL-13", area__code=WUMA).numerator == 1

    def test_the_command_refuses_someone_else(self, users, homes, civil):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError):
            call_command("registry_aggregates", year=2025, apply=True, user=users.supervisor.username)
        out = io.StringIO()
        call_command("registry_aggregates", year=2025, apply=True, user=users.reporter.username, stdout=out)
        assert "WEL-13" in out.getvalue()  # not health's: listed, not applied
        assert not DataValue.objects.filter(channel="registry").exists()
