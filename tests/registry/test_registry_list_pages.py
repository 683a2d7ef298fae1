"""The child list's pages (issue 16): reached by an opaque cursor (a file's id and a page number,
never a name or sort key), in the list's order across communities, forward and back, the same
rows as reading the whole list in order; the count stops at a bound ("more than …"); a bad or
stale cursor is a 400 naming the problem, never a 500."""

from __future__ import annotations

import datetime
import re

import pytest
from django import forms

from childfirst.areas.models import Area
from childfirst.registry.children import search, views
from childfirst.registry.children.actions import ChildData, do_create_child
from childfirst.registry.children.forms import PlainSelect
from childfirst.registry.children.search import LIST_ORDER, BadCursor, list_page, search_children
from childfirst.registry.models import AccessAction, CategoryType, Child, ChildAccessLog

WUMA = ("330302001001", "330302001002")  # the supervisor's street, two communities
SONGTAI_1 = "330302002001"  # another street
# Repeated names give equal sort keys: the id settles their order, across page boundaries too.
NAMES = ["张三", "李四", "王五", "曾小明", "张三", "陈晨", "程成", "李曾"]
CURSOR = re.compile(r"^[ab][0-9]+-[0-9]+$")


def add_children(actor, count: int, communities=WUMA, *, names=NAMES) -> None:
    areas = [Area.objects.get(code=code) for code in communities]
    migrant = CategoryType.objects.get(code="migrant")
    for n in range(count):
        do_create_child(
            actor,
            ChildData(
                name=names[n % len(names)],
                sex="female" if n % 2 else "male",
                birth_date=datetime.date(2012, 1, 1) + datetime.timedelta(days=37 * n),
                residence_area=areas[(n // 3) % len(areas)],
                categories=[(migrant, datetime.date(2024, 1, 1), "")] if n % 4 == 0 else [],
            ),
        )


def in_order(user, term: str = "", **filters) -> list[int]:
    children, _note = search_children(user, term, status="active", **filters)
    return list(children.order_by(*LIST_ORDER).values_list("pk", flat=True))


def areas_of(user) -> list[tuple[int, str]]:
    return list(views._communities(user).values_list("pk", "code"))


def walk(children, size, areas, searched=False) -> tuple[list[list[int]], list[str]]:
    """Every page from the first by its next cursor; the pages' ids and the cursors followed."""
    pages, cursors, cursor = [], [], ""
    while True:
        page = list_page(children, size, cursor=cursor, areas=areas, searched=searched)
        pages.append([c.pk for c in page.object_list])
        assert page.number == len(pages)
        if not page.has_next:
            return pages, cursors
        cursor = page.next_cursor
        cursors.append(cursor)


@pytest.mark.django_db
class TestPagesInOrder:
    @pytest.fixture
    def files(self, users):
        add_children(users.supervisor, 40)

    @pytest.mark.parametrize("size", [1, 6, 7, 50])
    def test_next_pages_hold_the_whole_list_in_order(self, users, files, size):
        children, _ = search_children(users.supervisor, "", status="active")
        pages, cursors = walk(children, size, areas_of(users.supervisor))
        assert [pk for page in pages for pk in page] == in_order(users.supervisor)
        assert all(len(page) == size for page in pages[:-1]) and pages[-1]
        assert all(CURSOR.match(cursor) for cursor in cursors)

    def test_previous_pages_are_the_same_pages(self, users, files):
        children, _ = search_children(users.supervisor, "", status="active")
        areas = areas_of(users.supervisor)
        forward, _cursors = walk(children, 6, areas)
        page = list_page(children, 6, cursor="", areas=areas)
        for _ in range(len(forward) - 1):
            page = list_page(children, 6, cursor=page.next_cursor, areas=areas)
        backward = [[c.pk for c in page.object_list]]
        while page.has_previous:
            page = list_page(children, 6, cursor=page.previous_cursor, areas=areas)
            backward.append([c.pk for c in page.object_list])
        assert backward[::-1] == forward and page.number == 1

    def test_a_search_and_a_category_page_the_same_way(self, users, files):
        migrant = CategoryType.objects.get(code="migrant")
        areas = areas_of(users.supervisor)
        for term, filters in (("张三", {}), ("z", {}), ("", {"category": migrant})):
            children, _ = search_children(users.supervisor, term, status="active", **filters)
            pages, _cursors = walk(children, 4, areas, searched=True)
            assert [pk for page in pages for pk in page] == in_order(users.supervisor, term, **filters), term

    def test_beyond_the_count_bound_the_pages_and_the_count_say_so(self, users, files, monkeypatch):
        # Bounds this small make every page beyond them: the walk and the key do the work.
        monkeypatch.setattr(search, "COUNT_BOUND", 5)
        monkeypatch.setattr(search, "SEARCH_COUNT_BOUND", 3)
        areas = areas_of(users.supervisor)
        for term, searched in (("", False), ("张三", True), ("z", True)):
            children, _ = search_children(users.supervisor, term, status="active")
            pages, _cursors = walk(children, 4, areas, searched=searched)
            assert [pk for page in pages for pk in page] == in_order(users.supervisor, term), term
            first = list_page(children, 4, areas=areas, searched=searched)
            assert first.capped and first.num_pages is None and first.count == first.bound + 1
        # Without the areas (as the API would call it) the key reads on across communities.
        children, _ = search_children(users.supervisor, "", status="active")
        pages, _cursors = walk(children, 4, None)
        assert [pk for page in pages for pk in page] == in_order(users.supervisor)

    def test_a_few_matches_are_ordered_as_the_database_orders_them(self, users, files):
        """Few matches are put in order in Python from their sort keys; a key that is not plain
        pinyin (a name in Latin letters) leaves the order to the database. Either way: the list's."""
        add_children(users.supervisor, 3, names=["Anna李", "李Ba", "李·四"])
        areas = areas_of(users.supervisor)
        for term in ("李", "zs", "曾"):
            children, _ = search_children(users.supervisor, term, status="active")
            pages, _cursors = walk(children, 2, areas, searched=True)
            assert [pk for page in pages for pk in page] == in_order(users.supervisor, term), term
        found = list(Child.objects.values_list("pk", "residence_area_id", "name_sort"))
        by_database = list(Child.objects.order_by(*LIST_ORDER).values_list("pk", flat=True))
        plain = [row for row in found if search._PLAIN_KEY.fullmatch(row[2])]
        assert search._in_list_order(found, areas) == by_database
        assert search._in_list_order(plain, areas) == [pk for pk in by_database if pk in {r[0] for r in plain}]

    def test_a_page_number_without_a_cursor_is_read_by_offset(self, users, files):
        children, _ = search_children(users.supervisor, "", status="active")
        page = list_page(children, 6, number=3, areas=areas_of(users.supervisor))
        assert [c.pk for c in page.object_list] == in_order(users.supervisor)[12:18] and page.number == 3

    def test_a_cursor_outside_the_list_is_refused(self, users, files):
        add_children(users.other_supervisor, 2, communities=(SONGTAI_1,))
        stranger = Child.objects.filter(residence_area__code=SONGTAI_1).first()
        children, _ = search_children(users.supervisor, "", status="active")
        for cursor in (f"a{stranger.pk}-2", "a999999-2", "x1-2", "a1", "a-1-2", "a1-0"):
            with pytest.raises(BadCursor):
                list_page(children, 6, cursor=cursor, areas=areas_of(users.supervisor))


@pytest.mark.django_db
class TestListPage:
    def test_the_pager_posts_cursors_and_the_pages_follow(self, client, users, monkeypatch):
        monkeypatch.setattr(views, "PAGE_SIZE", 6)
        add_children(users.supervisor, 20)
        client.force_login(users.supervisor)
        first = client.get("/registry/children/")
        text = first.content.decode()
        assert "第 1 页，共 4 页" in text and "20 名儿童" in text
        cursor = re.search(r'name="cursor" value="([^"]+)"', text)[1]
        assert CURSOR.match(cursor)
        second = client.post("/registry/children/", {"status": "active", "cursor": cursor}, HTTP_HX_REQUEST="true")
        assert second.status_code == 200 and second.context["page"].number == 2
        assert [c.pk for c in second.context["page"].object_list] == in_order(users.supervisor)[6:12]
        assert "第 2 页，共 4 页" in second.content.decode()
        # Every list and search still writes its access-log row, with the count.
        assert (
            ChildAccessLog.objects.filter(user=users.supervisor, action=AccessAction.SEARCH, result_count=20).count()
            == 2
        )

    def test_the_count_stops_at_the_bound(self, client, users, monkeypatch):
        monkeypatch.setattr(search, "COUNT_BOUND", 5)
        monkeypatch.setattr(views, "PAGE_SIZE", 3)
        add_children(users.supervisor, 8)
        client.force_login(users.supervisor)
        text = client.get("/registry/children/").content.decode()
        assert "超过 5 名儿童" in text and "共" not in re.search(r'<nav class="pager".*?</nav>', text, re.S)[0]

    @pytest.mark.parametrize("cursor", ["zz", "a1-2; DROP TABLE", "a99999999-2", "b0-1", "a" + "9" * 30 + "-2"])
    def test_a_bad_cursor_is_a_400_with_the_first_page(self, client, users, cursor):
        add_children(users.supervisor, 3)
        client.force_login(users.supervisor)
        response = client.post("/registry/children/", {"status": "active", "cursor": cursor})
        assert response.status_code == 400
        text = response.content.decode()
        assert "此列表分页链接无效" in text or "列表的该页已不存在" in text

    def test_another_streets_file_as_cursor_is_refused(self, client, users):
        add_children(users.supervisor, 3)
        add_children(users.other_supervisor, 1, communities=(SONGTAI_1,), names=["松台孩子"])
        stranger = Child.objects.get(residence_area__code=SONGTAI_1)
        client.force_login(users.supervisor)
        response = client.post("/registry/children/", {"status": "active", "cursor": f"a{stranger.pk}-2"})
        assert response.status_code == 400 and "列表的该页已不存在" in response.content.decode()
        assert stranger.name not in response.content.decode()


@pytest.mark.django_db
def test_the_rows_show_what_the_template_showed(client, users):
    """The rows are built by a template tag now: link, name, synthetic tag, sex, age, community,
    masked number, current categories, status (an exited file marked), escaped like the template."""
    add_children(users.supervisor, 2, names=["<b>曾</b>小明", "张三"])
    first, second = Child.objects.filter(residence_area__code__startswith="330302001").order_by("pk")
    Child.objects.filter(pk=second.pk).update(
        status="exited", exit_reason="moved_away", exit_date=datetime.date(2025, 1, 1), is_synthetic=True
    )
    client.force_login(users.supervisor)
    text = client.post("/registry/children/", {"status": ""}).content.decode()
    row = re.search(rf'<tr><td><a href="/registry/children/{first.pk}/">(.*?)</tr>', text, re.S)[1]
    assert "&lt;b&gt;曾&lt;/b&gt;小明</a></td><td>男</td>" in row and "<b>" not in row
    assert f'<td class="num">{first.age}</td><td>五马第一社区' in row
    assert '<span class="tag">流动儿童</span>' in row and "<td>正常</td>" in row
    exited = re.search(
        rf'<tr class="exited"><td><a href="/registry/children/{second.pk}/">张三</a>(.*?)</tr>', text, re.S
    )[1]
    assert exited.startswith(' <span class="tag muted">合成</span></td>')
    assert '<span class="tag muted">已结档</span>' in exited


def test_the_filters_plain_select_writes_djangos_markup():
    """PlainSelect (the list's filters, written in Python) gives what Django's select templates
    give, but for the whitespace between tags; values and labels escaped."""
    choices = [("", "全部"), (1, "五马<社区>"), (2, 'B "2"'), ("group", [(3, "C"), (4, "D")])]
    for value in ("", 1, "2", 4, None):
        plain = PlainSelect(choices=choices).render("community", value, {"id": "id_community"})
        template = forms.Select(choices=choices).render("community", value, {"id": "id_community"})
        assert plain == re.sub(r">\s+<", "><", template.strip())
