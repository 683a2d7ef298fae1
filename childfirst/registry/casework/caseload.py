"""Reading the casework: who is assigned to a child, a child's current risk level, when each child
is next due for a visit, and the work lists built from them.

Everything takes a queryset of children already scoped with `Child.objects.visible_to(user)`, so
these functions never widen what a user sees. Due dates are computed, not stored: a change of
category or risk level moves them at once, with nothing to keep in step.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, QuerySet
from django.utils import timezone

from childfirst.accounts.models import Role, User
from childfirst.areas.models import Area
from childfirst.registry.children.models import ChildQuerySet
from childfirst.registry.models import (
    AssessmentState,
    CategoryType,
    Child,
    ChildCategory,
    Referral,
    RiskAssessment,
    Visit,
)

from .risk import stricter
from .visits import Due, VisitPolicy, current_policy, next_due

# ----- assignment -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """The community director(s) and street supervisor(s) a child's file is assigned to, derived
    from the accounts: whoever holds the role for the child's community and street. Empty lists
    are shown as "not assigned" (未配备)."""

    directors: list[str]
    supervisors: list[str]


def display_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _staff(area_ids: Iterable[int]) -> dict[int | None, list[User]]:
    staff: dict[int | None, list[User]] = defaultdict(list)
    users = User.objects.filter(
        is_active=True, area_id__in=set(area_ids), role__in=[Role.COMMUNITY_DIRECTOR, Role.STREET_SUPERVISOR]
    ).order_by("username")
    for user in users:
        if not user.access_expired():
            staff[user.area_id].append(user)
    return staff


def assignments(communities: Iterable[Area]) -> dict[int, Assignment]:
    """Assignment by community id, for every community given (two queries at most)."""
    communities = list(communities)
    staff = _staff([c.pk for c in communities] + [c.parent_id for c in communities if c.parent_id])
    return {
        c.pk: Assignment(
            directors=[display_name(u) for u in staff.get(c.pk, []) if u.role == Role.COMMUNITY_DIRECTOR],
            supervisors=[display_name(u) for u in staff.get(c.parent_id, []) if u.role == Role.STREET_SUPERVISOR],
        )
        for c in communities
    }


def assignment_for(child: Child) -> Assignment:
    return assignments([child.residence_area])[child.residence_area_id]


def supervisors_of(street: Area) -> list[User]:
    return [u for u in _staff([street.pk]).get(street.pk, []) if u.role == Role.STREET_SUPERVISOR]


# ----- risk -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskStatus:
    """A child's current guardianship-risk level: the latest approved assessment's, made stricter by
    any newer one still awaiting approval (an alarm counts before its review)."""

    level: str | None
    approved_level: str | None
    pending: bool  # a newer assessment awaits the supervisor
    assessed_on: datetime.date | None
    # The assessment from which `level` holds without a break: a visit schedule set by the level
    # counts from here, not from a visit made before anybody knew of the risk.
    level_since: datetime.date | None = None


NO_RISK = RiskStatus(None, None, False, None)


def risk_statuses(child_ids: Iterable[int] | QuerySet[Child, Any]) -> dict[int, RiskStatus]:
    """Current levels by child id, of the ids given or of a queryset's `values("pk")` (a subquery)."""
    rows = (
        RiskAssessment.objects.counting()
        .filter(child_id__in=child_ids if isinstance(child_ids, QuerySet) else list(child_ids))
        .order_by("child_id", "assessed_on", "pk")
        .values_list("child_id", "level", "state", "assessed_on")
    )
    state: dict[int, list] = {}
    for child_id, level, assessment_state, assessed_on in rows:
        approved, pending, _last, since = state.get(child_id, [None, None, None, None])
        before = stricter(approved, pending)
        if assessment_state == AssessmentState.APPROVED:
            # The supervisor's latest word supersedes anything submitted before it.
            approved, pending = level, None
        else:
            pending = stricter(pending, level)
        if stricter(approved, pending) != before:
            since = assessed_on
        state[child_id] = [approved, pending, assessed_on, since]
    return {
        child_id: RiskStatus(
            level=stricter(approved, pending),
            approved_level=approved,
            pending=pending is not None,
            assessed_on=last,
            level_since=since,
        )
        for child_id, (approved, pending, last, since) in state.items()
    }


def risk_status(child: Child) -> RiskStatus:
    return risk_statuses([child.pk]).get(child.pk, NO_RISK)


# ----- visits due -------------------------------------------------------------------------------


def category_parents() -> dict[str, str | None]:
    return dict(CategoryType.objects.values_list("code", "parent__code"))


LIST_FIELDS = (
    "name",
    "name_sort",
    "sex",
    "birth_date",
    "status",
    "created_at",
    "residence_area",
    "residence_area__code",
    "residence_area__name",
    "residence_area__name_en",
    "residence_area__parent_id",
)


class _Children:
    """The Child objects of a work list's rows, read when a row's child is first asked for.

    A work list orders every child of a street (its due dates) but draws a page of them: reading
    each child as a model instance with its area took more than half of the list's time on a
    street of 1,400 children. `attach(rows)` reads those rows' children in one query; a row asked
    for its child without that reads every row's at once (one query, as before)."""

    def __init__(self, children: ChildQuerySet) -> None:
        self.queryset = children.select_related("residence_area").only(*LIST_FIELDS)
        self.rows: list[CaseRow] = []

    def attach(self, rows: Iterable[CaseRow]) -> None:
        wanted = [row for row in rows if row._child is None]
        if not wanted:
            return
        found = self.queryset.in_bulk([row.child_id for row in wanted])
        if len(found) < len(wanted):
            # A file changed (exited, moved) between the listing and this read: the row was listed
            # to this user a moment ago, so it is drawn as one read would have drawn it, not a 500.
            gone = [row.child_id for row in wanted if row.child_id not in found]
            found |= Child.objects.select_related("residence_area").only(*LIST_FIELDS).in_bulk(gone)
        for row in wanted:
            row._child = found[row.child_id]


@dataclass
class CaseRow:
    """One child in a work list."""

    child_id: int
    area_id: int
    name_sort: str
    due: Due
    risk: RiskStatus
    categories: list[CategoryType] = field(default_factory=list)
    _children: _Children | None = field(default=None, repr=False, compare=False)
    _child: Child | None = field(default=None, repr=False, compare=False)

    @property
    def child(self) -> Child:
        if self._child is None:
            assert self._children is not None  # every row of case_rows has its list's reader
            self._children.attach(self._children.rows)
        assert self._child is not None
        return self._child

    @property
    def sort_key(self) -> tuple:
        return (not self.due.is_overdue, self.due.date, self.name_sort, self.child_id)


def attach_children(rows: Iterable[CaseRow]) -> None:
    """Read the children of `rows` (say, the page about to be drawn) in one query."""
    rows = list(rows)
    if rows and rows[0]._children is not None:
        rows[0]._children.attach(rows)


def case_rows(
    children: ChildQuerySet,
    *,
    today: datetime.date | None = None,
    policy: VisitPolicy | None = None,
) -> list[CaseRow]:
    """Every active child in `children` with its next visit, overdue ones first, then by due date.
    Five queries whatever the number of children; a row's Child is read when first asked for
    (`attach_children` for the rows a page shows: one query more)."""
    today = today or timezone.localdate()
    policy = policy or current_policy()
    # Only what the due dates and the order need, as tuples (not the encrypted ID number, not model
    # instances), and the last visit in a query of its own grouped by one column.
    active = children.active()
    listed = list(active.values_list("pk", "residence_area_id", "name_sort", "created_at"))
    # The other queries take the children as a subquery: a street's 1,400 ids as parameters cost
    # more to prepare (each id checked and converted by the ORM) than the database's second look.
    ids = active.values("pk")
    last_visits = dict(
        Visit.objects.filter(child_id__in=ids)
        .values("child_id")
        .annotate(last=Max("visited_on"))
        .values_list("child_id", "last")
    )
    # Category types are few: read once with their parents, shared by every row that has them.
    types = {t.pk: t for t in CategoryType.objects.select_related("parent")}
    parents = {t.code: t.parent.code if t.parent else None for t in types.values()}
    categories: dict[int, list[CategoryType]] = defaultdict(list)
    for child_id, type_id in (
        ChildCategory.objects.current(today).filter(child_id__in=ids).values_list("child_id", "type_id")
    ):
        categories[child_id].append(types[type_id])
    statuses = risk_statuses(ids)
    reader = _Children(active)
    rows = []
    for pk, area_id, name_sort, created_at in listed:
        risk = statuses.get(pk, NO_RISK)
        due = next_due(
            policy,
            last_visit=last_visits.get(pk),
            opened_on=timezone.localdate(created_at),
            categories=[t.code for t in categories[pk]],
            risk_level=risk.level,
            risk_since=risk.level_since,
            today=today,
            parents=parents,
        )
        rows.append(CaseRow(pk, area_id, name_sort, due, risk, categories[pk], reader))
    rows.sort(key=lambda row: row.sort_key)
    reader.rows = rows
    return rows


def due_for(child: Child, *, today: datetime.date | None = None) -> Due:
    """The next visit of one child (for its page)."""
    today = today or timezone.localdate()
    last = child.visits.aggregate(last=Max("visited_on"))["last"]
    codes = [link.type.code for link in ChildCategory.objects.current(today).filter(child=child).select_related("type")]
    risk = risk_status(child)
    return next_due(
        current_policy(),
        last_visit=last,
        opened_on=timezone.localdate(child.created_at),
        categories=codes,
        risk_level=risk.level,
        risk_since=risk.level_since,
        today=today,
        parents=category_parents(),
    )


@dataclass
class CommunityLoad:
    """A community's children and how many are overdue, for the supervisor's dashboard."""

    community: Area
    children: int = 0
    overdue: int = 0
    high_risk: int = 0
    assignment: Assignment | None = None


def load_by_community(rows: list[CaseRow], street: Area | None = None) -> list[CommunityLoad]:
    """Counts per community of the rows; with `street`, every community of the street appears, even
    one without children on file (so a community with nobody assigned is not hidden)."""
    loads: dict[int, CommunityLoad] = {}
    if street is not None:
        for community in Area.objects.within(street).communities().valid_on():
            loads[community.pk] = CommunityLoad(community)
    missing = {row.area_id for row in rows} - loads.keys()
    for area in Area.objects.filter(pk__in=missing):  # a community outside the street's current ones
        loads[area.pk] = CommunityLoad(area)
    for row in rows:
        load = loads[row.area_id]
        load.children += 1
        load.overdue += row.due.is_overdue
        load.high_risk += row.risk.level == "high"
    staffing = assignments([load.community for load in loads.values()])
    for load in loads.values():
        load.assignment = staffing[load.community.pk]
    return sorted(loads.values(), key=lambda load: (-load.overdue, load.community.code))


# ----- referrals --------------------------------------------------------------------------------


def open_referrals(children: QuerySet[Child]) -> QuerySet[Referral]:
    """Open referrals of the given (scoped) children, oldest first: the longest-waiting on top."""
    return (
        Referral.objects.open()
        .filter(child__in=children)
        .select_related("child__residence_area", "department", "opened_by")
        .order_by("opened_at", "pk")
    )


def child_summary(child: Child) -> dict:
    """Context for templates/registry/casework/_child_summary.html on the child's page:
    `{% include "registry/casework/_child_summary.html" with summary=casework_summary %}`."""
    return {"child": child, "assignment": assignment_for(child), "due": due_for(child), "risk": risk_status(child)}
