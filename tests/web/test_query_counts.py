"""Query counts of the busiest pages stay constant as their rows grow: the registry's child list,
a department's data-entry page and the evaluation overview. The bounds are generous (measured
counts plus headroom) but fixed; a query per row would pass them only on tiny data, so each list
is also measured at two sizes and must not grow."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from childfirst.areas.models import Area
from childfirst.registry.children.actions import ChildData, do_create_child

from ..collection.test_collection_workflow import fill_everything

# Measured when written (SQLite): child list 15, entry page 25, evaluation overview 20 queries.
CHILD_LIST_MAX = 25
ENTRY_PAGE_MAX = 25  # 22 on 3 December: the review reuses what the form read (5 queries fewer on the demo)
OVERVIEW_MAX = 30

WUMA_COMMUNITIES = ("330302001001", "330302001002")


def add_children(actor, count: int, start: int) -> None:
    communities = [Area.objects.get(code=code) for code in WUMA_COMMUNITIES]
    for n in range(start, start + count):
        do_create_child(
            actor,
            ChildData(
                name=f"测试儿童{n}",
                sex="female" if n % 2 else "male",
                birth_date=datetime.date(2012, 1, 1) + datetime.timedelta(days=37 * n),
                residence_area=communities[n % 2],
            ),
        )


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_child_list_queries_do_not_grow_with_children(client, users, django_assert_max_num_queries):
    client.force_login(users.supervisor)
    url = reverse("registry:children")
    add_children(users.supervisor, 30, 0)
    with django_assert_max_num_queries(CHILD_LIST_MAX):
        response = client.get(url)
    assert response.content.decode().count("测试儿童") >= 30
    thirty = queries_of(client, url)
    add_children(users.supervisor, 30, 30)
    sixty = queries_of(client, url)
    assert sixty == thirty
    with django_assert_max_num_queries(CHILD_LIST_MAX):
        client.get(url)


@pytest.mark.django_db
def test_entry_page_queries_are_bounded(client, users, health, django_assert_max_num_queries):
    client.force_login(users.reporter)
    url = reverse("collection:entry", args=[health.round.plan.code, health.round.year, health.department.code])
    with django_assert_max_num_queries(ENTRY_PAGE_MAX):
        response = client.get(url)
    assert response.status_code == 200
    # Values entered do not add queries: the page reads them in one go.
    empty = queries_of(client, url)
    fill_everything(health, users.reporter)
    assert queries_of(client, url) == empty


@pytest.mark.django_db
def test_evaluation_overview_queries_are_bounded(client, users, demo, django_assert_max_num_queries):
    client.force_login(users.leader)
    with django_assert_max_num_queries(OVERVIEW_MAX):
        response = client.get(reverse("evaluation:overview", args=["lucheng-2021-2025"]))
    assert response.status_code == 200
