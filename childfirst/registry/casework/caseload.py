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


def risk_statuses(child_ids: Iterable[int]) -> dict[int, RiskStatus]:
    rows = (
        RiskAssessment.objects.counting()
        .filter(child_id__in=list(child_ids))
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


@dataclass
class CaseRow:
    """One child in a work list."""

    child: Child
    due: Due
    risk: RiskStatus
    categories: list[CategoryType] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple:
        return (not self.due.is_overdue, self.due.date, self.child.name_sort, self.child.pk)


def case_rows(
    children: ChildQuerySet,
    *,
    today: datetime.date | None = None,
    policy: VisitPolicy | None = None,
) -> list[CaseRow]:
    """Every active child in `children` with its next visit, overdue ones first, then by due date.
    Five queries whatever the number of children."""
    today = today or timezone.localdate()
    policy = policy or current_policy()
    # Only the columns a list shows (not the encrypted ID number), and the last visit in a query of
    # its own grouped by one column, rather than grouping every child column.
    children_list = list(children.active().select_related("residence_area").only(*LIST_FIELDS))
    ids = [c.pk for c in children_list]
    last_visits = dict(
        Visit.objects.filter(child_id__in=ids)
        .values("child_id")
        .annotate(last=Max("visited_on"))
        .values_list("child_id", "last")
    )
    categories: dict[int, list[CategoryType]] = defaultdict(list)
    for link in ChildCategory.objects.current(today).filter(child_id__in=ids).select_related("type"):
        categories[link.child_id].append(link.type)
    statuses = risk_statuses(ids)
    parents = category_parents()
    rows = []
    for child in children_list:
        risk = statuses.get(child.pk, NO_RISK)
        due = next_due(
            policy,
            last_visit=last_visits.get(child.pk),
            opened_on=timezone.localdate(child.created_at),
            categories=[t.code for t in categories[child.pk]],
            risk_level=risk.level,
            risk_since=risk.level_since,
            today=today,
            parents=parents,
        )
        rows.append(CaseRow(child=child, due=due, risk=risk, categories=categories[child.pk]))
    rows.sort(key=lambda row: row.sort_key)
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
    for row in rows:
        load = loads.setdefault(row.child.residence_area_id, CommunityLoad(row.child.residence_area))
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
