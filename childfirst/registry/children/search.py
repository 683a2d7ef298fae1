"""Finding child files: by name, pinyin or ID number, within what the user may see.

Shared by the list page, the CSV export and the API, so all three find the same children.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, F, Func, Prefetch, Q, QuerySet

from childfirst.accounts.models import User
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


def _name_matches(name: str) -> Q:
    """The name holds `name` anywhere."""
    condition = Q(name__contains=name)
    if len(name) < SHORT_TERM and connection.vendor == "postgresql":
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
            children = children.filter(_name_matches(normalise_name(term)))
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


def list_page(children: QuerySet[Child], number: int | str | None, size: int) -> Page:
    """Page `number` of `children` in the list's order, its rows loaded with_list_fields.

    The page's ids come first, from the list's covering index alone (a street's 70,000 files
    sorted as narrow index entries), then only those rows are read: ordering whole rows meant
    fetching every file of the street from all over the table."""
    paginator = Paginator(children.order_by(*LIST_ORDER).values_list("pk", flat=True), size)
    page: Page[Any] = paginator.get_page(number)  # its ids, then (below) their rows
    ids = list(page.object_list)
    rows = {child.pk: child for child in with_list_fields(Child.objects.filter(pk__in=ids))}
    # A file deleted between the two reads is left out rather than failing the page.
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page
