"""The home page's section on implementation reports (section 四): a department's own report waiting
to be written or corrected (reporter) or reviewed (reviewer), and the reports awaiting the office's
acceptance. Of open rounds only; a couple of queries."""

from __future__ import annotations

from django.db.models import Q

from childfirst.accounts.models import DEPARTMENT_ROLES, Role, User
from childfirst.collection.models import RoundState, SubmissionState
from childfirst.implementation.models import ImplementationReport
from childfirst.plans.access import acts_on_plan
from childfirst.plans.models import Plan

# What each role finds waiting for it.
WAITING = {
    Role.DEPT_REPORTER: (SubmissionState.DRAFT, SubmissionState.RETURNED),
    Role.DEPT_REVIEWER: (SubmissionState.SUBMITTED,),
    Role.OFFICE: (SubmissionState.APPROVED,),
}


def implementation_home(user: User, plans: list[Plan]) -> list[ImplementationReport]:
    """The implementation reports waiting for `user`, in open rounds of the plans they see."""
    states = WAITING.get(Role(user.role)) if user.role else None
    if not states:
        return []
    reports = ImplementationReport.objects.filter(
        round__state=RoundState.OPEN, round__plan__in=plans, state__in=states
    ).select_related("round__plan", "department")
    if user.role in DEPARTMENT_ROLES:
        if user.department_id is None:
            return []
        reports = reports.filter(department_id=user.department_id)
    else:
        reports = reports.filter(Q(round__plan__in=[p for p in plans if acts_on_plan(user, p)]))
    return list(reports.order_by("round__deadline", "department__code"))
