"""Keeping the count table (models.CategoryCount) equal to a recount of the files.

Every action that changes what is counted — a child's categories, residence or closing, a file
opened or purged — runs its change inside `changing(child_ids)` (or calls `opened(child_ids)` after
creating files): the children's rows in the table before and after are worked out from the files,
and the difference is added to the table in the same transaction. The children's rows are locked
first, so two changes to one child count one after the other.

A child's rows (`spans`): each category period counts in the years from its start's to the year
before its end's first day, cut at the year the file was closed; the years are then split into spans
of one unchanging set of top-level categories. Nothing depends on today: a period counts in its
start's year from its start on, and starts are never in the future (the actions refuse them), so
the running year's reading day (counts.reading_day) always lies after the starts counted.

Not kept incrementally: a change of a category's parent in data/categories.yaml (load_categories
rebuilds the table then), and writes outside the actions (the demo's bulk load calls `opened`;
after anything else, `childfirst registry aggregates --rebuild`).
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import pairwise
from typing import Any

from django.apps import apps as global_apps
from django.db import connection, transaction

from .models import OPEN_YEAR

logger = logging.getLogger(__name__)

# (community id, top category ids "3 7", first year, last year)
Key = tuple[int, str, int, int]
# (top category id, first year, last year) of one category period
Period = tuple[int, int, int]
BATCH = 5000


def top_ids(apps: Any = global_apps) -> dict[int, int]:
    """Category id → its top-level category's id (a sub-category counts with its parent)."""
    types = apps.get_model("registry", "CategoryType").objects.values_list("pk", "parent_id")
    return {pk: parent or pk for pk, parent in types}


def period(top: int, start: datetime.date, end: datetime.date | None, exit_date: datetime.date | None) -> Period | None:
    """The years a category period counts in (None: none). A year counts when the period started by
    its end, did not end by its first day (`end` is the first day without it) and the file was not
    closed before it began."""
    last = OPEN_YEAR if end is None else (end - datetime.timedelta(days=1)).year
    if exit_date is not None:
        last = min(last, exit_date.year)
    return (top, start.year, last) if start.year <= last else None


def spans(periods: Iterable[Period]) -> list[tuple[str, int, int]]:
    """A child's years split into spans of one set of top categories: (tops, first, last), the
    spans disjoint, so the child is in one span at most for any year."""
    periods = list(periods)
    if not periods:
        return []
    edges = sorted({first for _t, first, _l in periods} | {last + 1 for _t, _f, last in periods})
    found: list[tuple[str, int, int]] = []
    for begin, after in pairwise(edges):
        tops = " ".join(
            str(t) for t in sorted({t for t, first, last in periods if first <= begin and last >= after - 1})
        )
        if not tops:
            continue
        if found and found[-1][0] == tops and found[-1][2] == begin - 1:
            found[-1] = (tops, found[-1][1], after - 1)
        else:
            found.append((tops, begin, after - 1))
    return found


def _rows(
    periods: dict[int, list[Period]], communities: dict[int, int], into: Counter[Key] | None = None
) -> Counter[Key]:
    into = Counter() if into is None else into
    for child, child_periods in periods.items():
        for tops, first, last in spans(child_periods):
            into[(communities[child], tops, first, last)] += 1
    return into


def rows_of(child_ids: Iterable[int], tops: dict[int, int] | None = None) -> Counter[Key]:
    """The table rows these children make, from their files as they are now (one query a batch:
    a child without categories makes no row)."""
    ids = sorted(set(child_ids))
    tops = top_ids() if tops is None else tops
    ChildCategory = global_apps.get_model("registry", "ChildCategory")
    found: Counter[Key] = Counter()
    for start in range(0, len(ids), BATCH):
        _count(ChildCategory.objects.filter(child_id__in=ids[start : start + BATCH]), tops, found)
    return found


def _count(categories: Any, tops: dict[int, int], found: Counter[Key], *, stream: bool = False) -> Counter[Key]:
    """Add to `found` the rows of the children whose categories these are, read child by child
    (`stream`: through a server-side cursor, for all of them)."""
    rows = categories.order_by("child_id").values_list(
        "child_id", "type_id", "start", "end", "child__residence_area_id", "child__exit_date"
    )
    if stream:
        rows = rows.iterator(chunk_size=10_000)
    periods: dict[int, list[Period]] = {}
    communities: dict[int, int] = {}
    for child, type_id, begin, end, community, exit_date in rows:
        if child not in communities:
            if len(communities) >= BATCH:
                _rows(periods, communities, found)
                periods, communities = {}, {}
            communities[child] = community
            periods[child] = []
        counted = period(tops[type_id], begin, end, exit_date)
        if counted:
            periods[child].append(counted)
    _rows(periods, communities, found)
    return found


def _table() -> str:
    return global_apps.get_model("registry", "CategoryCount")._meta.db_table


def add(delta: dict[Key, int]) -> None:
    """Add `delta` to the table, in key order (two transactions never wait for each other's rows in
    opposite order). A row at 0 stays until the next rebuild.

    A decrease the table cannot take (its row missing or too small: the table was already out of
    step, e.g. after a bulk write without `opened`) is skipped and logged, not raised: the derived
    table must not stop a caseworker's change; `--verify` finds it and `--rebuild` mends it."""
    changes = sorted((key, n) for key, n in delta.items() if n)
    if not changes:
        return
    table = _table()
    key_is = "community_id = %s AND tops = %s AND first_year = %s AND last_year = %s"
    with connection.cursor() as cursor:
        for key, n in changes:
            if n > 0:
                cursor.execute(
                    f"INSERT INTO {table} (community_id, tops, first_year, last_year, children) "  # noqa: S608 (the model's table)
                    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (community_id, tops, first_year, last_year) "
                    f"DO UPDATE SET children = {table}.children + EXCLUDED.children",
                    [*key, n],
                )
                continue
            cursor.execute(
                f"UPDATE {table} SET children = children + %s WHERE {key_is} AND children >= %s",  # noqa: S608
                [n, *key, -n],
            )
            if cursor.rowcount != 1:
                logger.warning("count table out of step (area %s, categories %s, %s–%s): run --rebuild", *key)


def _lock_children(child_ids: list[int]) -> None:
    Child = global_apps.get_model("registry", "Child")
    list(Child.objects.select_for_update(of=("self",)).filter(pk__in=child_ids).order_by("pk").values_list("pk"))


@contextmanager
def changing(child_ids: Iterable[int]) -> Iterator[None]:
    """Around a change to these children's files: afterwards the table counts them as they are."""
    ids = sorted(set(child_ids))
    with transaction.atomic():
        _lock_children(ids)
        tops = top_ids()
        before = rows_of(ids, tops)
        yield
        after = rows_of(ids, tops)
        add({key: after[key] - before[key] for key in before.keys() | after.keys()})


def opened(child_ids: Iterable[int]) -> None:
    """Count files just created (in this transaction)."""
    add(rows_of(child_ids))


def forgetting(child_ids: Iterable[int]) -> None:
    """Before files are deleted: take them out of the table."""
    add({key: -n for key, n in rows_of(child_ids).items()})


def recount(apps: Any = global_apps) -> Counter[Key]:
    """The table as the files make it, read in one pass over the categories (child by child)."""
    return _count(apps.get_model("registry", "ChildCategory").objects.all(), top_ids(apps), Counter(), stream=True)


def rebuild(apps: Any = global_apps) -> int:
    """Recount the table from the files; returns its rows. Actions running meanwhile wait for it
    (the table is locked against writes first, then the files read), so none is counted twice."""
    CategoryCount = apps.get_model("registry", "CategoryCount")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {CategoryCount._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
        counted = recount(apps)
        CategoryCount.objects.all().delete()
        CategoryCount.objects.bulk_create(
            [
                CategoryCount(community_id=community, tops=tops, first_year=first, last_year=last, children=n)
                for (community, tops, first, last), n in sorted(counted.items())
            ],
            batch_size=BATCH,
        )
    return len(counted)


def differences() -> list[tuple[Key, int, int]]:
    """(key, in the table, recounted) wherever the two differ; [] when the table is right."""
    CategoryCount = global_apps.get_model("registry", "CategoryCount")
    # One snapshot for both reads, so that changes committed in between are not taken for a fault.
    one_snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if one_snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        stored: Counter[Key] = Counter()
        for community, tops, first, last, n in CategoryCount.objects.values_list(
            "community_id", "tops", "first_year", "last_year", "children"
        ):
            stored[(community, tops, first, last)] += n
        counted = recount()
    return sorted(
        (key, stored[key], counted[key]) for key in stored.keys() | counted.keys() if stored[key] != counted[key]
    )
