"""Who may see, edit and reveal which child file, and the access log every read writes.

Every page, export and API call gets its children through `Child.objects.visible_to(user)`
(the one scoping rule, models/child.py) and a single file through `get_child_for_user`; every
read of personal data writes a ChildAccessLog row through `log_access`.

- Community directors keep the files of children living in their community, street supervisors
  those of their street: they create, edit, close files and may reveal the ID number (logged,
  with a purpose).
- Department reporters and reviewers see a child only while a referral to their department is
  open, and then only what the referral needs (name, age, sex, community, the referral).
- The office sees nothing unless a grant names the area, approved by a second office user and
  unexpired; then it reads only.
- Leaders and evaluators never see a child file (they get aggregate counts elsewhere).
- A closed (exited) file is read-only for everyone.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.accounts.audit import client_ip
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import DEPARTMENT_ROLES, Role, User
from childfirst.areas.models import Area, Level
from childfirst.registry.models import AccessAction, Child, ChildAccessLog, RegistryGrant

FILE_KEEPER_ROLES = frozenset({Role.COMMUNITY_DIRECTOR, Role.STREET_SUPERVISOR})
REGISTRY_ROLES = FILE_KEEPER_ROLES | DEPARTMENT_ROLES | {Role.OFFICE}


def _user(request_or_user: AuthenticatedHttpRequest | User) -> User:
    return request_or_user.user if isinstance(request_or_user, HttpRequest) else request_or_user


def _usable(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active and not user.access_expired()


def uses_registry(user: User) -> bool:
    """Whether the registry's pages are for this role at all (its list may still be empty)."""
    return _usable(user) and user.role in REGISTRY_ROLES


def is_file_keeper(user: User) -> bool:
    return _usable(user) and user.role in FILE_KEEPER_ROLES and user.area_id is not None


def sees_referral_fields_only(user: User) -> bool:
    """Department users see name, age, sex, community and the referral — no ID number, guardians,
    address or category evidence."""
    return user.role in DEPARTMENT_ROLES


def keeps_area(user: User, area: Area) -> bool:
    """Whether `user` keeps the files of children living in `area` (a community)."""
    if not is_file_keeper(user):
        return False
    if user.role == Role.COMMUNITY_DIRECTOR:
        return area.pk == user.area_id
    assert user.area is not None  # is_file_keeper: a keeper always has an area
    return user.area.contains(area)


def creatable_areas(user: User) -> models.QuerySet[Area]:
    """The communities (existing today) where `user` may open a child file."""
    if not is_file_keeper(user):
        return Area.objects.none()
    assert user.area is not None  # is_file_keeper: a keeper always has an area
    return Area.objects.valid_on().communities().within(user.area)


def can_create_in(user: User, known: Iterable[Area] = ()) -> bool:
    """Whether `user` may open a file in some community: creatable_areas(user) is not empty.
    `known`: communities the caller has read (the list's filter); one of them that exists today
    and that the user keeps answers without a query."""
    if not is_file_keeper(user):
        return False
    today = timezone.localdate()
    if any(area.level == Level.COMMUNITY and area.is_valid_on(today) and keeps_area(user, area) for area in known):
        return True
    return creatable_areas(user).exists()


def can_edit(user: User, child: Child) -> bool:
    """The file's keeper may edit an active file; nobody edits a closed one."""
    return child.is_active and keeps_area(user, child.residence_area)


def can_reveal_id(user: User, child: Child) -> bool:
    return child.id_hash is not None and keeps_area(user, child.residence_area)


def log_access(
    request_or_user: HttpRequest | User | None,
    children: Child | Iterable[Child] | None,
    action: str,
    purpose: str = "",
    *,
    result_count: int | None = None,
) -> int:
    """Append access-log rows: one per child, or one without a child for a search or listing
    (then `result_count` says how many files it returned). Returns the number of rows written.

    Never give it search terms, names or ID numbers: `purpose` is the user's stated reason."""
    request: HttpRequest | None
    user: User | AnonymousUser | None
    if isinstance(request_or_user, HttpRequest):
        # A request's user may be anonymous (the public report intake): logged as "system".
        request, user = request_or_user, request_or_user.user
    else:
        request, user = None, request_or_user
    user_obj = user if user is not None and user.is_authenticated else None
    common = {
        "user": user_obj,
        "user_name": user_obj.get_username() if user_obj is not None else "system",
        "action": action,
        "purpose": purpose[:200],
        "result_count": result_count,
        "ip_address": client_ip(request),
    }
    if children is None:
        ChildAccessLog.objects.create(**common)
        return 1
    if isinstance(children, Child):
        children = [children]
    rows = [ChildAccessLog(child_id=child.pk, **common) for child in children]
    ChildAccessLog.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def get_child_for_user(
    request_or_user: AuthenticatedHttpRequest | User,
    pk: int,
    *,
    purpose: str | None = None,
    action: str | None = AccessAction.VIEW,
) -> tuple[Child, bool]:
    """The child file `pk` if `user` may see it, and whether they may edit it; the read is
    logged as `action` (pass None when the caller's do_* function logs the access itself).

    Raises PermissionDenied for a role without child files, and Http404 both for no such file and
    for a file out of the user's scope: the answer must not tell that a file exists elsewhere."""
    user = _user(request_or_user)
    if not uses_registry(user):
        raise PermissionDenied
    child = (
        Child.objects.visible_to(user)
        .select_related("residence_area", "hukou_area", "created_by", "updated_by")
        .filter(pk=pk)
        .first()
    )
    if child is None:
        raise Http404
    if action is not None:
        log_access(request_or_user, child, action, purpose or "")
    return child, can_edit(user, child)


def require_edit(user: User, child: Child) -> None:
    """Refuse a change to `child` unless `user` keeps it and it is still open."""
    if not child.is_active:
        raise PermissionDenied(_("This file is closed and can no longer be changed."))
    if not keeps_area(user, child.residence_area):
        raise PermissionDenied


def grantable_areas() -> models.QuerySet[Area]:
    """Areas the office may be granted: streets and communities existing today, and the district."""
    return Area.objects.valid_on().filter(level__in=[Level.DISTRICT, Level.STREET, Level.COMMUNITY])


def get_grant_for_user(request_or_user: AuthenticatedHttpRequest | User, pk: int) -> RegistryGrant:
    """The grant `pk` if `user` is an office user of its district (Http404 / PermissionDenied)."""
    user = _user(request_or_user)
    if not _usable(user) or user.role != Role.OFFICE:
        raise PermissionDenied
    grant = (
        RegistryGrant.objects.visible_to(user)
        .select_related("user", "area", "requested_by", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if grant is None:
        if RegistryGrant.objects.filter(pk=pk).exists():
            raise PermissionDenied
        raise Http404
    return grant
