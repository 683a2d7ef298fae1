"""Finding child files: by name, pinyin or ID number, within what the user may see.

Shared by the list page, the CSV export and the API, so all three find the same children.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, CharField, F, Func, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Concat

from childfirst.accounts.models import Role, User
from childfirst.areas.models import Area
from childfirst.registry.children.models import ChildQuerySet
from childfirst.registry.models import CategoryType, Child, ChildCategory

from .crypto import lookup_hash
from .idnumber import looks_like_id, parse_id_number
from .names import normalise_name, pinyin_query

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler
    from django_stubs_ext import WithAnnotations

# Trigram indexes (PostgreSQL, migration 0004) serve terms of three characters or more; shorter
# ones are served by the index of each name's characters (Chinese) or become prefixes (pinyin).
SHORT_TERM = 3
LIST_ORDER = ("residence_area__code", "name_sort", "pk")
_PLAIN_KEY = re.compile(r"[a-z0-9]*")


class _NameHasCharacters(Func):
    """`string_to_array(name, NULL) @> characters`: every character of a short term is in the
    name. Exactly the expression of the registry_child_name_chars index, so PostgreSQL narrows a
    one- or two-character search to the few names holding them before the LIKE checks the order."""

    output_field = BooleanField()

    def __init__(self, characters: list[str]):
        super().__init__(F("name"))
        self.characters = characters

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:  # Any: a parameter is a list (text[]), beyond the stubs' str | int
        column, params = compiler.compile(self.source_expressions[0])
        return f"string_to_array({column}, NULL) @> %s::text[]", (*params, self.characters)


def _name_matches(name: str, within_street: bool = False) -> Q:
    """The name holds `name` anywhere. `within_street`: the user's files are one street's or one
    community's; a short term is then checked on the list's covering index (which holds the name)
    community by community, not found through the district-wide character index and then checked
    against the street (issue 16: 张 is in 11,000 of a district's names, 800 of a street's)."""
    condition = Q(name__contains=name)
    if len(name) < SHORT_TERM and connection.vendor == "postgresql" and not within_street:
        condition &= Q(_NameHasCharacters(sorted(set(name))))
    return condition


def _pinyin_matches(letters: str) -> Q:
    """Three letters or more: anywhere in a reading or its initials ("xiaoming", "xm" finds 曾小明
    only from three: "zxm"). One or two letters: the beginning of a reading or of its initials
    ("zs" finds 张三, "z" every 张 and 曾), since a pair of letters is in too many names to search
    inside them without reading every file."""
    if len(letters) >= SHORT_TERM:
        return Q(name_pinyin__contains=letters) | Q(name_initials__contains=letters)
    condition = Q()
    for field in ("name_pinyin", "name_initials"):
        # The keys hold several readings separated by spaces (a polyphone surname).
        condition |= Q(**{f"{field}__startswith": letters}) | Q(**{f"{field}__contains": f" {letters}"})
    return condition


def search_children(
    user: User,
    term: str = "",
    *,
    community: Area | None = None,
    category: CategoryType | None = None,
    status: str = "",
) -> tuple[ChildQuerySet, str]:
    """The children `user` may see that match, and a note when the term cannot match anything.

    A term that looks like an ID number is matched exactly through its keyed hash (never a LIKE
    on ID numbers); letters match the pinyin readings or their initials (one or two letters: their
    beginning); anything else the name, anywhere in it.
    A category includes its sub-categories and counts only while current."""
    children = Child.objects.visible_to(user)
    note = ""
    term = term.strip()
    if term:
        if looks_like_id(term):
            try:
                children = children.filter(id_hash=lookup_hash(parse_id_number(term).number))
            except ValidationError as exc:
                children, note = children.none(), " ".join(exc.messages)
        elif pinyin := pinyin_query(term):
            children = children.filter(_pinyin_matches(pinyin))
        else:
            within_street = user.role in (Role.STREET_SUPERVISOR, Role.COMMUNITY_DIRECTOR)
            children = children.filter(_name_matches(normalise_name(term), within_street))
    if community is not None:
        children = children.filter(residence_area=community)
    if category is not None:
        codes = [category.pk, *category.subtypes.values_list("pk", flat=True)]
        children = children.filter(pk__in=ChildCategory.objects.current().filter(type_id__in=codes).values("child_id"))
    if status:
        children = children.filter(status=status)
    return children, note


class ListFields(TypedDict):
    current_categories: list[ChildCategory]


def with_list_fields(children: QuerySet[Child]) -> QuerySet[WithAnnotations[Child, ListFields]]:
    """What a list shows: the community and the current categories (as `current_categories`),
    in the list's order (community, then pinyin)."""
    return (
        children.select_related("residence_area")
        .prefetch_related(
            Prefetch(
                "categories",
                queryset=ChildCategory.objects.current().select_related("type").order_by("type__order"),
                to_attr="current_categories",
            )
        )
        .order_by(*LIST_ORDER)
    )


# An exact count over tens of thousands of files costs more than the rest of the page, and
# nobody reads "71,432" differently from "more than 10,000": counting stops there. A search stops
# sooner: its matches are read from the table itself (the name indexes say where), one by one,
# and a term found in more than a thousand files is one to narrow.
COUNT_BOUND = 10_000
SEARCH_COUNT_BOUND = 1_000
_CURSOR = re.compile(r"^([ab])([1-9][0-9]{0,17})-([1-9][0-9]{0,8})$")


class BadCursor(ValueError):
    """A page cursor that is malformed or names no file of the list (the list changed)."""


@dataclass
class ListPage:
    """One page of the list, reached from the page before or after by a cursor.

    A cursor ("a<id>-<n>": page n, after file <id>; "b<id>-<n>": before it) carries only a
    file's internal id and a page number, never a name or sort key; the position is read again
    from the database, within what the user may see."""

    object_list: list[Any]
    count: int  # exact up to `bound`; beyond it bound + 1 and `capped`
    bound: int
    number: int
    has_next: bool
    size: int

    @property
    def capped(self) -> bool:
        return self.count > self.bound

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def num_pages(self) -> int | None:
        return None if self.capped else max(1, -(-self.count // self.size))

    @property
    def next_cursor(self) -> str:
        return f"a{self.object_list[-1].pk}-{self.number + 1}" if self.object_list else ""

    @property
    def previous_cursor(self) -> str:
        return f"b{self.object_list[0].pk}-{self.number - 1}" if self.object_list else ""


def parse_cursor(cursor: str) -> tuple[bool, int, int]:
    """(backwards, file id, page number) of a cursor; BadCursor if it is not one."""
    match = _CURSOR.match(cursor)
    if match is None:
        raise BadCursor(cursor)
    return match[1] == "b", int(match[2]), int(match[3])


def _after(key: tuple[str, str, int], backwards: bool) -> Q:
    """Files after (before) `key` in the list's order within its community. The plain range on
    name_sort lets the index start there; the OR settles ties on the same sort key."""
    _code, sort, pk = key
    if backwards:
        return Q(name_sort__lte=sort) & (Q(name_sort__lt=sort) | Q(pk__lt=pk))
    return Q(name_sort__gte=sort) & (Q(name_sort__gt=sort) | Q(pk__gt=pk))


def _walk(
    children: QuerySet[Child],
    areas: Sequence[tuple[int, str]],
    key: tuple[str, str, int] | None,
    want: int,
    backwards: bool,
    searched: bool = False,
) -> list[Child]:
    """Up to `want` files in the list's order (the `want` before `key` when `backwards`) from
    `key` on, one community at a time: each is a range of the list's index (community, status,
    sort key, id) read in order and stopped at `want`, instead of sorting a whole street's files
    for one page. Ids only (narrow index entries); then the rows and categories in two queries."""
    ids: list[int] = []
    sort: Any = F("name_sort")
    if searched:
        # The same order, by an expression the index does not hold: PostgreSQL then finds the
        # community's matches by the name indexes and sorts those few, instead of reading the
        # index in order until 51 match — for 张 (zhang) or "zh", most of the community, since
        # the sort key puts them last.
        sort = Concat(F("name_sort"), Value(""), output_field=CharField())
    order = (sort.desc(), "-pk") if backwards else (sort.asc(), "pk")
    for area_id, code in reversed(areas) if backwards else areas:
        if key is not None and (code > key[0] if backwards else code < key[0]):
            continue
        part = children.filter(residence_area_id=area_id)
        if key is not None and code == key[0]:
            part = part.filter(_after(key, backwards))
        ids += part.order_by(*order).values_list("pk", flat=True)[: want - len(ids)]
        if len(ids) >= want:
            break
    return _rows(ids[::-1] if backwards else ids)


def _in_list_after(key: tuple[str, str, int], backwards: bool) -> Q:
    """Files after (before) `key` in the whole list's order, across communities."""
    code = key[0]
    beyond = Q(residence_area__code__lt=code) if backwards else Q(residence_area__code__gt=code)
    return beyond | (Q(residence_area__code=code) & _after(key, backwards))


# What a page's row shows (templatetags/child_list_tags.py): building 50 files with every field
# (encrypted number, address, notes …) cost as much as the rest of the page's queries.
ROW_FIELDS = (
    "name", "sex", "birth_date", "birth_date_estimated", "id_masked", "status", "is_synthetic",
    "residence_area__code", "residence_area__name", "residence_area__name_en",
)  # fmt: skip


def _rows(ids: Sequence[int]) -> list[Child]:
    """The files `ids`, in that order, as with_list_fields gives them. The categories by a plain
    query on the page's ids, rather than prefetch_related's (which rebuilt a filter on fifty model
    instances and its own queryset machinery on every page)."""
    rows = Child.objects.filter(pk__in=ids).select_related("residence_area").only(*ROW_FIELDS)
    found = {child.pk: child for child in rows}
    categories = ChildCategory.objects.current().filter(child_id__in=list(found)).select_related("type")
    for child in found.values():
        child.current_categories = []  # type: ignore[attr-defined]  # ListFields, as with_list_fields
    for category in categories.order_by("type__order"):
        found[category.child_id].current_categories.append(category)  # type: ignore[attr-defined]
    # A file deleted between the two reads is left out rather than failing the page.
    return [found[pk] for pk in ids if pk in found]


def _in_list_order(found: list[tuple[int, int, str]], areas: Sequence[tuple[int, str]] | None) -> list[int]:
    """The ids of `found` (id, area id, sort key) in LIST_ORDER: sorted here when every area's code
    is known and every sort key is lower-case ASCII letters and digits (as pinyin gives them), which
    every collation orders as Python does; else by the database."""
    codes = dict(areas) if areas is not None else {}
    if all(area in codes and _PLAIN_KEY.fullmatch(key) for _pk, area, key in found):
        return [pk for pk, _area, _key in sorted(found, key=lambda row: (codes[row[1]], row[2], row[0]))]
    ids = [pk for pk, _area, _key in found]
    return list(Child.objects.filter(pk__in=ids).order_by(*LIST_ORDER).values_list("pk", flat=True))


def _window(
    children: QuerySet[Child],
    size: int,
    key: tuple[str, str, int] | None,
    start: int,
    backwards: bool,
    areas: Sequence[tuple[int, str]] | None,
    bound: int,
    searched: bool,
) -> tuple[list[Child], int]:
    """Up to size + 1 files in the list's order — after `key` (before it when `backwards`: then
    the extra one comes first), or from position `start` — and the count up to bound + 1."""
    want = size + 1
    # Stops at the bound: no order asked, so the first bound + 1 matches found will do. With their
    # sort keys (in the list's index too), so that a few matches are put in order here.
    unordered = children.order_by()[: bound + 1]
    found = list(unordered.values_list("pk", "residence_area_id", "name_sort")) if searched or areas is None else None
    count = len(found) if found is not None else unordered.count()
    ordered = children.order_by(*LIST_ORDER).values_list("pk", flat=True)
    if key is None and start:
        # A page number without a cursor (an old link): by offset.
        return _rows(list(ordered[start : start + want])), count
    if found is not None and count <= bound:
        # Few matches, all found: put them in the list's order (rather than searching a second
        # time); the page is a slice of them.
        matches = _in_list_order(found, areas)
        if key is None:
            at = -1
        elif key[2] in matches:
            at = matches.index(key[2])
        else:  # changed between the two reads
            raise BadCursor(str(key[2]))
        return _rows(matches[max(0, at - want) : at] if backwards else matches[at + 1 : at + 1 + want]), count
    if areas is not None:
        # Many matches: walk the list's index in order, community by community, to the page.
        return _walk(children, areas, key, want, backwards, searched), count
    if key is None:
        return _rows(list(ordered[:want])), count
    if backwards:
        before = children.filter(_in_list_after(key, True)).order_by(*(f"-{f}" for f in LIST_ORDER))
        return _rows(list(before.values_list("pk", flat=True)[:want])[::-1]), count
    return _rows(list(ordered.filter(_in_list_after(key, False))[:want])), count


def list_page(
    children: QuerySet[Child],
    size: int,
    *,
    cursor: str = "",
    number: int | None = None,
    areas: Sequence[tuple[int, str]] | None = None,
    searched: bool = False,
) -> ListPage:
    """A page of `children` in the list's order (community code, sort key, id), its rows loaded
    with_list_fields, and the count up to COUNT_BOUND (SEARCH_COUNT_BOUND when `searched`: a
    term or a category narrows the list).

    `cursor` (a page's next_cursor / previous_cursor) or a page `number` says which page;
    neither: the first. `areas` — the (id, code) of every area the files can be in, in code
    order — lets a long list walk the list's index community by community to its page (_walk)
    instead of sorting every match; a short one is read whole, in order. Raises BadCursor."""
    bound = SEARCH_COUNT_BOUND if searched else COUNT_BOUND
    backwards, key_pk, target = parse_cursor(cursor) if cursor else (False, 0, max(1, number or 1))
    key: tuple[str, str, int] | None = None
    if key_pk:
        key = children.filter(pk=key_pk).values_list("residence_area__code", "name_sort", "pk").first()
        if key is None:
            raise BadCursor(cursor)
    rows, count = _window(children, size, key, (target - 1) * size, backwards, areas, bound, searched)
    if backwards:
        if len(rows) <= size:  # the list changed above us: what is left before is the first page
            return list_page(children, size, areas=areas, searched=searched)
        rows, has_next = rows[1:], True
    else:
        rows, has_next = rows[:size], len(rows) > size
    return ListPage(object_list=rows, count=count, bound=bound, number=target, has_next=has_next, size=size)
