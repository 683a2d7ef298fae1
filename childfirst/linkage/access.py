"""Who sees which verification task and review pair — and so which department-list records.

Nobody browses a list: a record is seen only as the evidence of a task or one side of a review pair
in the viewer's scope, and every such view is written to the registry's access log.

- A community director sees the tasks of their community and acts on them.
- A street supervisor sees every task of their street (by community, with what is overdue), acts on
  them (those routed to the street alone are theirs), and reviews the street's undecided pairs.
- The office sees counts only (no task, no record); leaders, evaluators and departments nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role, User
from childfirst.registry.children.access import log_access
from childfirst.registry.models import AccessAction, Child

from .models import ReviewItem, SourceRecord, TaskState, VerificationTask

TASK_ROLES = frozenset({Role.COMMUNITY_DIRECTOR, Role.STREET_SUPERVISOR})
REVIEW_ROLES = frozenset({Role.STREET_SUPERVISOR})
COUNT_ROLES = frozenset({Role.OFFICE})


def _usable(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active and not user.access_expired()


def tasks_visible_to(user: User) -> QuerySet[VerificationTask]:
    """The ONE scoping rule for verification tasks: the director's community, the supervisor's street."""
    tasks = VerificationTask.objects.all()
    if not _usable(user) or user.role not in TASK_ROLES or user.area_id is None:
        return tasks.none()
    if user.role == Role.COMMUNITY_DIRECTOR:
        return tasks.filter(community_id=user.area_id)
    return tasks.filter(street_id=user.area_id)


def reviews_visible_to(user: User) -> QuerySet[ReviewItem]:
    """The ONE scoping rule for review pairs: the supervisor's street."""
    items = ReviewItem.objects.all()
    if not _usable(user) or user.role not in REVIEW_ROLES or user.area_id is None:
        return items.none()
    return items.filter(street_id=user.area_id)


def can_act(user: User, task: VerificationTask) -> bool:
    return task.state == TaskState.OPEN and tasks_visible_to(user).filter(pk=task.pk).exists()


def can_decide(user: User, item: ReviewItem) -> bool:
    return reviews_visible_to(user).filter(pk=item.pk, state="pending").exists()


def can_undo(user: User, item: ReviewItem) -> bool:
    """A decision can be taken back by its street's supervisor: every linkage run applies the decisions
    as they stand, so a pair put back to "awaiting review" is simply asked again at the next run."""
    return reviews_visible_to(user).filter(pk=item.pk).exclude(state="pending").exists()


def get_task_for_user(request: AuthenticatedHttpRequest, pk: int) -> VerificationTask:
    """The task if the user may see it: 403 for a role without tasks, 404 for a task outside the scope
    (as for one that does not exist: the answer must not tell that it exists elsewhere)."""
    if request.user.role not in TASK_ROLES:
        raise PermissionDenied
    task = (
        tasks_visible_to(request.user)
        .select_related("person", "child__residence_area", "street", "community", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404
    return task


def get_review_for_user(request: AuthenticatedHttpRequest, pk: int) -> ReviewItem:
    if request.user.role not in REVIEW_ROLES:
        raise PermissionDenied
    item = (
        reviews_visible_to(request.user)
        .select_related("left__list_import", "right__list_import", "child__residence_area", "street", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404
    return item


def log_records_view(
    request: AuthenticatedHttpRequest, purpose: str, records: Sequence[SourceRecord] | int, child: Child | None = None
) -> None:
    """One access-log row for the list records shown (or how many rows a list page showed), against
    the file when there is one. `purpose` names the task or pair by number only."""
    count = records if isinstance(records, int) else len(records)
    log_access(request, child, AccessAction.LIST_RECORDS, purpose, result_count=count)
