"""The home page's section on recommendations (督办) and good practices: for the office, addressees
overdue and answers awaiting its decision, and good practices awaiting selection, of every plan it acts
on; for a department's reporters and reviewers and a street's supervisor, the follow-ups awaiting their
answer (overdue first). A few queries, each bounded."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from childfirst.accounts.models import Role, User
from childfirst.implementation.access import FOLLOWUP_ROLES, is_acting_office
from childfirst.implementation.models import Assignment, AssignmentState, GoodPractice, PracticeState
from childfirst.plans.models import Plan

SHOWN = 6


def followup_home(user: User, plans: list[Plan]) -> dict[str, Any]:
    if user.role not in FOLLOWUP_ROLES:
        return {}
    today = timezone.localdate()
    rows = Assignment.objects.select_related("recommendation__plan", "department", "area").order_by(
        "recommendation__due_date", "pk"
    )
    if user.role == Role.OFFICE:
        acting = [p for p in plans if is_acting_office(user, p)]
        rows = rows.filter(recommendation__plan__in=acting)
        overdue = rows.overdue(today).exclude(state=AssignmentState.ANSWERED)
        answered = rows.filter(state=AssignmentState.ANSWERED)
        waiting = GoodPractice.objects.filter(plan__in=acting, state=PracticeState.SUBMITTED)
        return {
            "followup_shown": True,
            "followup_overdue": list(overdue[:SHOWN]),
            "followup_overdue_total": overdue.count(),
            "followup_answered": list(answered[:SHOWN]),
            "followup_answered_total": answered.count(),
            "practices_waiting": list(waiting.select_related("plan", "department", "area")[:SHOWN]),
            "practices_waiting_total": waiting.count(),
            "today": today,
        }
    due = rows.of_user(user).filter(
        recommendation__plan__in=plans, state__in=[AssignmentState.OPEN, AssignmentState.RETURNED]
    )
    return {
        "followup_shown": True,
        "followup_due": list(due[:SHOWN]),
        "followup_due_total": due.count(),
        "today": today,
    }
