"""The count table behind the registry's aggregates (issue 16): every action that changes what is
counted keeps it equal to a recount of the files, on the real database; `--rebuild` recounts it and
`--verify` says whether it agrees; reading a year's figures costs a fixed handful of queries."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from childfirst.areas.models import Area
from childfirst.registry.aggregates import (
    children_by_category,
    count_children,
    recounted_by_category,
    recounted_children,
)
from childfirst.registry.children.actions import (
    ChildData,
    do_add_category,
    do_create_child,
    do_end_category,
    do_exit_child,
    do_purge_exited,
    do_update_child,
)
from childfirst.registry.models import CategoryCount, CategoryType, Child
from childfirst.registry.tally.maintain import OPEN_YEAR, differences, rebuild, spans

D = datetime.date
WUMA, SONGTAI = "330302001", "330302002"
KEY_CATEGORIES = ["orphan", "de_facto_unsupported", "distress", "left_behind"]
YEARS = range(2018, datetime.date.today().year + 2)


def area(code: str) -> Area:
    return Area.objects.get(code=code)


def category(code: str) -> CategoryType:
    return CategoryType.objects.get(code=code)


def assert_agrees() -> None:
    """The table equals a recount row by row, and every year's figures read from it equal the
    figures counted from the files (the definition in aggregates/counts.py)."""
    assert differences() == []
    district = area("330302")
    for year in YEARS:
        assert children_by_category(district, year) == recounted_by_category(district, year), year
        assert count_children(district, year, KEY_CATEGORIES) == recounted_children(district, year, KEY_CATEGORIES)


def open_file(actor, name: str, community: str, categories: list[tuple[str, datetime.date]]) -> Child:
    data = ChildData(
        name, "female", D(2012, 1, 1), area(community), categories=[(category(c), s, "") for c, s in categories]
    )
    return do_create_child(actor, data)


class TestSpans:
    def test_periods_become_disjoint_spans_of_one_set(self):
        # orphan 2019–open, left-behind 2020–2021: [orphan] 2019, [both] 2020–21, [orphan] from 2022
        assert spans([(1, 2019, OPEN_YEAR), (2, 2020, 2021)]) == [
            ("1", 2019, 2019),
            ("1 2", 2020, 2021),
            ("1", 2022, OPEN_YEAR),
        ]

    def test_one_category_twice_counts_once_and_gaps_stay_gaps(self):
        assert spans([(1, 2018, 2019), (1, 2019, 2020), (1, 2023, 2023)]) == [("1", 2018, 2020), ("1", 2023, 2023)]

    def test_no_periods_no_rows(self):
        assert spans([]) == []


@pytest.mark.django_db
class TestEveryActionKeepsTheTable:
    def test_opening_files_with_categories(self, users):
        open_file(users.supervisor, "甲", f"{WUMA}001", [("orphan", D(2020, 5, 1))])
        open_file(
            users.supervisor,
            "乙",
            f"{WUMA}002",
            [("distress_poverty", D(2023, 2, 1)), ("distress_illness", D(2023, 3, 1))],
        )
        open_file(users.supervisor, "丙", f"{WUMA}001", [])
        assert CategoryCount.objects.filter(children__gt=0).count() == 2
        assert_agrees()

    def test_adding_and_ending_categories(self, users):
        child = open_file(users.supervisor, "甲", f"{WUMA}001", [("orphan", D(2019, 5, 1))])
        do_add_category(users.supervisor, child, category("left_behind"), D(2021, 3, 1))
        assert_agrees()
        left_behind = child.categories.get(type__code="left_behind")
        do_end_category(users.supervisor, left_behind, D(2023, 1, 1))  # its first day without: 2023 does not count
        assert_agrees()
        do_add_category(users.supervisor, child, category("left_behind"), D(2024, 6, 1))  # a second period
        do_add_category(users.supervisor, child, category("distress_disability"), D(2022, 6, 1))
        assert_agrees()
        assert children_by_category(area("330302"), 2022)["left_behind"][WUMA] == 1

    def test_moving_to_another_street(self, users):
        child = open_file(users.supervisor, "甲", f"{WUMA}001", [("orphan", D(2020, 5, 1))])
        do_update_child(
            users.supervisor, child, version=child.version, changes={"residence_area": area(f"{SONGTAI}001")}
        )
        assert_agrees()
        table = children_by_category(area("330302"), 2024)
        assert (table["orphan"][WUMA], table["orphan"][SONGTAI]) == (0, 1)

    def test_changes_that_count_nothing_change_nothing(self, users):
        child = open_file(users.supervisor, "甲", f"{WUMA}001", [("orphan", D(2020, 5, 1))])
        before = list(CategoryCount.objects.values_list("community_id", "tops", "first_year", "last_year", "children"))
        do_update_child(users.supervisor, child, version=child.version, changes={"birth_date": D(2013, 2, 2)})
        after = list(CategoryCount.objects.values_list("community_id", "tops", "first_year", "last_year", "children"))
        assert before == after

    def test_closing_a_file(self, users):
        child = open_file(
            users.supervisor, "甲", f"{WUMA}001", [("orphan", D(2019, 5, 1)), ("left_behind", D(2020, 1, 1))]
        )
        do_exit_child(users.supervisor, child, "moved_away", D(2023, 12, 1))
        assert_agrees()
        assert children_by_category(area("330302"), 2023)["orphan"][WUMA] == 1
        assert children_by_category(area("330302"), 2024)["orphan"][WUMA] == 0

    def test_purging_closed_files(self, users):
        child = open_file(users.supervisor, "甲", f"{WUMA}001", [("orphan", D(2019, 5, 1))])
        open_file(users.supervisor, "乙", f"{WUMA}001", [("orphan", D(2019, 5, 1))])
        do_exit_child(users.supervisor, child, "moved_away", D(2021, 6, 1))
        assert do_purge_exited(None, retention_days=0) == 1
        assert_agrees()
        assert children_by_category(area("330302"), 2020)["orphan"][WUMA] == 1

    def test_the_demo_bulk_load(self, users):
        from childfirst.demo.load import create_demo_communities
        from childfirst.demo.registry_children import load_demo_children

        create_demo_communities()
        assert load_demo_children(300)["categories_recorded"] > 0
        assert CategoryCount.objects.exists()
        assert_agrees()

    def test_a_category_moved_to_another_parent_rebuilds(self, users, tmp_path):
        from childfirst.registry.children.categories import CATEGORY_FILE, load_categories

        open_file(
            users.supervisor, "甲", f"{WUMA}001", [("distress_poverty", D(2020, 5, 1)), ("orphan", D(2020, 5, 1))]
        )
        # The file with 困境儿童's sub-categories under 孤儿 instead (indentation: two spaces per level).
        text = CATEGORY_FILE.read_text(encoding="utf-8")
        start, end = text.index("  - code: distress\n"), text.index("  - code: left_behind\n")
        block = text[start:end].replace("  - code: distress\n", "  - code: orphan\n", 1)
        orphan_start = text.index("  - code: orphan\n")
        orphan_end = text.index("  - code: de_facto_unsupported\n")
        moved = text[:orphan_start] + block + text[orphan_end:start] + text[end:]
        path = tmp_path / "categories.yaml"
        path.write_text(moved, encoding="utf-8")
        load_categories(path)
        assert category("distress_poverty").parent == category("orphan")
        assert_agrees()
        assert children_by_category(area("330302"), 2024)["orphan"][WUMA] == 1  # once, not twice


@pytest.mark.django_db
class TestRebuildAndVerify:
    def test_verify_finds_a_wrong_table_and_rebuild_mends_it(self, users):
        open_file(users.supervisor, "甲", f"{WUMA}001", [("orphan", D(2020, 5, 1))])
        open_file(users.other_supervisor, "乙", f"{SONGTAI}001", [("left_behind", D(2021, 5, 1))])
        call_command("registry_aggregates", "--verify", "--year", "2024", stdout=io.StringIO())
        CategoryCount.objects.filter(community__code=f"{WUMA}001").update(children=5)
        CategoryCount.objects.filter(community__code=f"{SONGTAI}001").delete()
        with pytest.raises(CommandError, match=r"：2 行|: 2 row"):
            call_command("registry_aggregates", "--verify", stdout=io.StringIO(), stderr=io.StringIO())
        out = io.StringIO()
        call_command("registry_aggregates", "--rebuild", stdout=out)
        assert "2" in out.getvalue()
        call_command("registry_aggregates", "--verify", "--year", "2024", stdout=io.StringIO())
        assert_agrees()

    def test_rebuild_of_an_empty_registry(self, db):
        assert rebuild() == 0
        assert differences() == []

    def test_the_table_names_no_child(self):
        fields = {f.name for f in CategoryCount._meta.get_fields()}
        assert fields == {"id", "community", "tops", "first_year", "last_year", "children"}


@pytest.mark.django_db
def test_reading_a_year_costs_a_fixed_number_of_queries(users, django_assert_num_queries):
    for n in range(30):
        open_file(
            users.supervisor,
            f"甲{'一二三四五六七八九十'[n % 10]}",
            f"{WUMA}00{1 + n % 3}",
            [("orphan", D(2015 + n % 9, 5, 1))],
        )
    district = area("330302")
    # the categories, the streets, the table's rows
    with django_assert_num_queries(3):
        children_by_category(district, 2024)
    with django_assert_num_queries(3):
        count_children(district, 2024, KEY_CATEGORIES)


@pytest.mark.django_db
def test_a_change_locks_its_children_before_reading_their_rows(users):
    """Two changes to one child at once count one after the other: the second waits on the child's
    row lock, then reads rows with the first's change in them. (A test with two connections would
    need a transactional test, and the append-only logs refuse the flush after it.)"""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks (it writes one transaction at a time)")
    child = open_file(users.supervisor, "甲", f"{WUMA}001", [("orphan", D(2019, 5, 1))])
    with CaptureQueriesContext(connection) as queries:
        do_add_category(users.supervisor, child, category("left_behind"), D(2021, 3, 1))
    sql = [q["sql"] for q in queries.captured_queries]
    locked = next(i for i, q in enumerate(sql) if 'FROM "registry_child"' in q and "FOR UPDATE" in q)
    first_read = next(
        i for i, q in enumerate(sql) if 'FROM "registry_childcategory"' in q and '"registry_child"."exit_date"' in q
    )
    assert locked < first_read
    assert_agrees()
