"""/api/children…: the registry's JSON API, under exactly the same access rules as its pages.

The same scoping (Child.objects.visible_to), the same single-file helper (get_child_for_user),
the same do_* actions and the same access log (action api_read). ID numbers are masked in every
answer. A search by name or ID number is a POST, so that no name or number is ever in a URL.
Department users get only what their referral needs (no ID number, categories or guardians).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from childfirst.accounts.http import ApiRequest
from childfirst.accounts.models import User
from childfirst.areas.models import Area, Level
from childfirst.registry.models import (
    AccessAction,
    CategoryType,
    Child,
    ChildCategory,
    ChildStatus,
    Grade,
    GuardianRelation,
    Sex,
)

from . import actions
from .access import get_child_for_user, keeps_area, log_access, sees_referral_fields_only, uses_registry
from .search import LIST_ORDER, search_children, with_list_fields

router = Router(tags=["children"])

MAX_PAGE = 500
# Offsets, ids and versions are bounded so that no number reaches the database that its integer
# columns cannot hold (a 422 instead of an overflow there).
MAX_OFFSET = 1_000_000_000
MAX_VERSION = 2**31 - 1


# ----- schemas ----------------------------------------------------------------------------------


class ErrorItem(Schema):
    index: int | None = None
    indicator: str | None = None
    area: str | None = None
    field: str | None = Field(None, description="the field at fault, e.g. id_number")
    rule: str
    message: str


class ErrorOut(Schema):
    status: str = Field("ERROR", examples=["ERROR"])
    message: str
    errors: list[ErrorItem] = []


class CategoryOut(Schema):
    code: str
    name: str
    start: datetime.date
    end: datetime.date | None = None


class GuardianOut(Schema):
    name: str
    relation: str
    phone: str
    is_primary: bool


class ChildOut(Schema):
    """A child file. Department users get only id, name, sex, age and community."""

    id: int
    name: str
    sex: str = Field(description="male or female")
    age: int
    community: str = Field(description="code of the community of residence")
    community_name: str
    status: str | None = Field(None, description="active or exited")
    birth_date: datetime.date | None = None
    birth_date_estimated: bool | None = Field(
        None, description="true when the date is estimated from an approximate age (a foundling)"
    )
    id_number_masked: str | None = Field(None, description="only the first 4 characters; never the full number")
    categories: list[CategoryOut] | None = Field(None, description="current categories")
    version: int | None = Field(None, description="send it back with an update")


class ChildDetailOut(ChildOut):
    hukou_community: str | None = None
    hukou_place: str | None = None
    address: str | None = None
    school: str | None = None
    grade: str | None = None
    note: str | None = None
    exit_reason: str | None = None
    exit_date: datetime.date | None = None
    guardians: list[GuardianOut] | None = None
    open_referrals: list[str] | None = Field(None, description="codes of the departments with an open referral")


class ChildPage(Schema):
    total: int
    offset: int
    limit: int
    # Left out on the last page (the answers drop nulls), so not required.
    next_offset: int | None = Field(None, description="offset of the next page; left out on the last page")
    children: list[ChildOut]


class SearchIn(Schema):
    q: str = Field("", max_length=50, description="name, pinyin (full or initials) or ID number (exact)")
    community: str | None = Field(None, description="community code")
    category: str | None = Field(None, description="category code, e.g. left_behind")
    status: str | None = Field("active", description="active, exited, or empty for both")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(100, ge=1, le=MAX_PAGE)


class GuardianIn(Schema):
    name: str = Field(max_length=50)
    relation: GuardianRelation
    phone: str = Field("", max_length=20)
    is_primary: bool = False


class CategoryIn(Schema):
    code: str
    start: datetime.date
    evidence: str = ""


class ChildIn(Schema):
    name: str = Field(max_length=50)
    sex: Sex
    birth_date: datetime.date
    id_number: str = Field("", max_length=24, description="18 characters (15 converted); empty if none")
    community: str = Field(description="code of the community of residence")
    hukou_community: str | None = None
    hukou_place: str = Field("", max_length=120)
    address: str = Field("", max_length=200)
    school: str = Field("", max_length=100)
    grade: Grade | None = None
    note: str = ""
    guardians: list[GuardianIn] = []
    categories: list[CategoryIn] = []


class ChildPatch(Schema):
    version: int = Field(
        ge=0, le=MAX_VERSION, description="the version you read; a file changed since is refused (409)"
    )
    name: str | None = Field(None, max_length=50)
    sex: Sex | None = None
    birth_date: datetime.date | None = None
    id_number: str | None = Field(None, max_length=24, description="a corrected number; omit to keep")
    community: str | None = None
    hukou_community: str | None = None
    hukou_place: str | None = Field(None, max_length=120)
    address: str | None = Field(None, max_length=200)
    school: str | None = Field(None, max_length=100)
    grade: Grade | None = None
    note: str | None = None


# Fields a PATCH may change but not empty.
REQUIRED_ON_PATCH = ("name", "sex", "birth_date", "community")


# ----- helpers ----------------------------------------------------------------------------------


def registry_user(request: ApiRequest) -> User:
    user = request.auth
    if not uses_registry(user):
        raise PermissionDenied(_("Your role has no access to child files."))
    return user


def _invalid(error: DjangoValidationError) -> NinjaValidationError:
    """A do_* function's field errors in the API's error shape (422)."""
    items = []
    for field, messages in (error.message_dict if hasattr(error, "error_dict") else {"": error.messages}).items():
        for message in messages:
            items.append(
                {"loc": ("body", "payload", field) if field else ("body",), "msg": message, "type": "registry"}
            )
    return NinjaValidationError(items)


def _community(code: str | None, field: str) -> Area | None:
    if not code:
        return None
    area = Area.objects.filter(code=code, level=Level.COMMUNITY).first()
    if area is None:
        raise _invalid(DjangoValidationError({field: [_("No community has this code.")]}))
    return area


def _summary(child: Child, limited: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": child.pk,
        "name": child.name,
        "sex": child.sex,
        "age": child.age,
        "community": child.residence_area.code,
        "community_name": child.residence_area.name,
    }
    if not limited:
        categories = getattr(child, "current_categories", None)
        if categories is None:
            categories = list(ChildCategory.objects.current().filter(child=child).select_related("type"))
        out.update(
            status=child.status,
            birth_date=child.birth_date,
            birth_date_estimated=child.birth_date_estimated,
            id_number_masked=child.id_masked,
            version=child.version,
            categories=[{"code": c.type.code, "name": c.type.name, "start": c.start, "end": c.end} for c in categories],
        )
    return out


def _detail(child: Child, limited: bool) -> dict[str, Any]:
    out = _summary(child, limited)
    if limited:
        return out
    out.update(
        hukou_community=child.hukou_area.code if child.hukou_area else None,
        hukou_place=child.hukou_place,
        address=child.address,
        school=child.school,
        grade=child.grade,
        note=child.note,
        exit_reason=child.exit_reason or None,
        exit_date=child.exit_date,
        guardians=[
            {"name": g.name, "relation": g.relation, "phone": g.phone, "is_primary": g.is_primary}
            for g in child.guardians.all()
        ],
        open_referrals=list(child.referrals.open().values_list("department__code", flat=True)),
    )
    return out


def _page(request: ApiRequest, user: User, children: QuerySet[Child], offset: int, limit: int) -> dict[str, Any]:
    total = children.count()
    # The page's ids from the list's covering index first, then only those rows (as search.list_page).
    ids = list(children.order_by(*LIST_ORDER).values_list("pk", flat=True)[offset : offset + limit])
    found = {child.pk: child for child in with_list_fields(Child.objects.filter(pk__in=ids))}
    rows = [found[pk] for pk in ids if pk in found]
    log_access(request, None, AccessAction.API_READ, result_count=total)
    limited = sees_referral_fields_only(user)
    return {
        "total": total,
        "offset": offset,
        "limit": limit,
        "next_offset": offset + limit if offset + limit < total else None,
        "children": [_summary(child, limited) for child in rows],
    }


def _search(user: User, payload: SearchIn) -> QuerySet[Child]:
    """The page's search with the API's fields (codes instead of primary keys)."""
    community = _community(payload.community, "community")
    category = CategoryType.objects.filter(code=payload.category).first() if payload.category else None
    if payload.category and category is None:
        raise _invalid(DjangoValidationError({"category": [_("No category has this code.")]}))
    if payload.status not in (None, "", *ChildStatus.values):
        raise _invalid(DjangoValidationError({"status": [_("The status is active, exited, or empty for both.")]}))
    return search_children(user, payload.q, community=community, category=category, status=payload.status or "")[0]


# ----- endpoints --------------------------------------------------------------------------------

READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
# A body that is not JSON (400) or too large (413); every error is the same JSON shape.
BODY_ERRORS = {400: ErrorOut, 413: ErrorOut}


class ListFilters(Schema):
    community: str | None = Field(None, description="community code")
    category: str | None = Field(None, description="category code")
    status: str | None = Field("active", description="active, exited, or empty for both")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(100, ge=1, le=MAX_PAGE)


@router.get("/", response={200: ChildPage, **READ_ERRORS}, operation_id="listChildren", exclude_none=True)
def list_children(request: ApiRequest, filters: Query[ListFilters]):
    """The child files you may see, by community and name. Filters are codes, never names: search
    by name or ID number with POST /api/children/search."""
    user = registry_user(request)
    payload = SearchIn(**filters.dict())
    return _page(request, user, _search(user, payload), payload.offset, payload.limit)


@router.post(
    "/search", response={200: ChildPage, **READ_ERRORS, **BODY_ERRORS}, operation_id="searchChildren", exclude_none=True
)
def search(request: ApiRequest, payload: SearchIn):
    """Search by name (characters), pinyin (full or initials) or ID number (exact match)."""
    user = registry_user(request)
    return _page(request, user, _search(user, payload), payload.offset, payload.limit)


@router.get(
    "/{int:child_id}",
    response={200: ChildDetailOut, 404: ErrorOut, **READ_ERRORS},
    operation_id="getChild",
    exclude_none=True,
)
def get_child(request: ApiRequest, child_id: int):
    """One file (ID number masked)."""
    user = registry_user(request)
    child, _can_edit = get_child_for_user(request, child_id, action=AccessAction.API_READ)
    return _detail(child, sees_referral_fields_only(user))


@router.post(
    "/",
    response={201: ChildDetailOut, 409: ErrorOut, **READ_ERRORS, **BODY_ERRORS},
    operation_id="createChild",
    exclude_none=True,
)
def create_child(request: ApiRequest, payload: ChildIn):
    """Open a file in a community you keep. A second file for the same ID number is refused (409)."""
    user = registry_user(request)
    community = _community(payload.community, "community")
    if community is None:  # an empty code
        raise _invalid(DjangoValidationError({"community": [_("No community has this code.")]}))
    if not keeps_area(user, community):
        raise PermissionDenied(_("You can open files only for children living in your area."))
    categories = []
    for index, item in enumerate(payload.categories):
        category = CategoryType.objects.filter(code=item.code).first()
        if category is None:
            raise _invalid(DjangoValidationError({f"categories.{index}.code": [_("No category has this code.")]}))
        if item.start > timezone.localdate():
            future = _("The start date is in the future.")
            raise _invalid(DjangoValidationError({f"categories.{index}.start": [future]}))
        categories.append((category, item.start, item.evidence))
    data = actions.ChildData(
        name=payload.name,
        sex=payload.sex,
        birth_date=payload.birth_date,
        residence_area=community,
        id_number=payload.id_number,
        hukou_area=_community(payload.hukou_community, "hukou_community"),
        hukou_place=payload.hukou_place,
        address=payload.address,
        school=payload.school,
        grade=payload.grade or "",
        note=payload.note,
        guardians=[actions.GuardianData(g.name, g.relation, g.phone, g.is_primary) for g in payload.guardians],
        categories=categories,
    )
    try:
        child = actions.do_create_child(user, data, request=request)
    except actions.DuplicateChild as exc:
        actions.record_duplicate_refusal(user, exc, request=request)
        raise HttpError(409, " ".join(exc.messages)) from None
    except DjangoValidationError as exc:
        raise _invalid(exc) from None
    return Status(201, _detail(Child.objects.select_related("residence_area", "hukou_area").get(pk=child.pk), False))


@router.patch(
    "/{int:child_id}",
    response={200: ChildDetailOut, 404: ErrorOut, 409: ErrorOut, **READ_ERRORS, **BODY_ERRORS},
    operation_id="updateChild",
    exclude_none=True,
)
def update_child(request: ApiRequest, child_id: int, payload: ChildPatch):
    """Change a file you keep. Send the version you read: a file changed since is refused (409)."""
    user = registry_user(request)
    child, can_edit = get_child_for_user(request, child_id, action=None)
    if not can_edit:
        raise PermissionDenied(_("You cannot change this file."))
    given = payload.dict(exclude_unset=True)
    # A file always has a name, sex, date of birth and community: null (or "") for one of them is
    # refused, never stored as an empty value. The other fields are cleared by null or "".
    required = {name: given[name] for name in REQUIRED_ON_PATCH if name in given and given[name] in (None, "")}
    if required:
        raise _invalid(DjangoValidationError({name: [_("This field cannot be empty.")] for name in required}))
    changes: dict[str, Any] = {}
    for name in ("name", "sex", "birth_date", "hukou_place", "address", "school", "grade", "note"):
        if name in given:
            changes[name] = given[name] if given[name] is not None else ""
    if "community" in given:
        changes["residence_area"] = _community(given["community"], "community")
    if "hukou_community" in given:
        changes["hukou_area"] = _community(given["hukou_community"], "hukou_community")
    try:
        updated = actions.do_update_child(
            user, child, version=payload.version, changes=changes, id_number=given.get("id_number"), request=request
        )
    except actions.StaleEdit as exc:
        raise HttpError(409, str(exc)) from None
    except actions.DuplicateChild as exc:
        actions.record_duplicate_refusal(user, exc, request=request)
        raise HttpError(409, " ".join(exc.messages)) from None
    except DjangoValidationError as exc:
        raise _invalid(exc) from None
    return _detail(Child.objects.select_related("residence_area", "hukou_area").get(pk=updated.pk), False)
