"""Finding child files: by name, pinyin or ID number, within what the user may see.

Shared by the list page, the CSV export and the API, so all three find the same children.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet

from childfirst.accounts.models import User
from childfirst.areas.models import Area

from .crypto import lookup_hash
from .idnumber import looks_like_id, parse_id_number
from .models import CategoryType, Child, ChildCategory
from .names import normalise_name, pinyin_query


def search_children(
    user: User,
    term: str = "",
    *,
    community: Area | None = None,
    category: CategoryType | None = None,
    status: str = "",
) -> tuple[QuerySet[Child], str]:
    """The children `user` may see that match, and a note when the term cannot match anything.

    A term that looks like an ID number is matched exactly through its keyed hash (never a LIKE
    on ID numbers); letters match the pinyin readings or their initials; anything else the name.
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
            children = children.filter(Q(name_pinyin__contains=pinyin) | Q(name_initials__contains=pinyin))
        else:
            children = children.filter(name__contains=normalise_name(term))
    if community is not None:
        children = children.filter(residence_area=community)
    if category is not None:
        codes = [category.pk, *category.subtypes.values_list("pk", flat=True)]
        children = children.filter(pk__in=ChildCategory.objects.current().filter(type_id__in=codes).values("child_id"))
    if status:
        children = children.filter(status=status)
    return children, note


def with_list_fields(children: QuerySet[Child]) -> QuerySet[Child]:
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
        .order_by("residence_area__code", "name_pinyin", "pk")
    )
