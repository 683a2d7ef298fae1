"""The home page's section on recommendations (督办) and good practices: for the office, addressees
overdue and answers awaiting its decision, and good practices awaiting selection, of every plan it acts
on; for a department's reporters and reviewers and a street's supervisor, the follow-ups awaiting their
answer (overdue first)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from childfirst.accounts.models import Role, User
from childfirst.implementation.access import FOLLOWUP_ROLES, is_acting_office
from childfirst.implementation.models import Assignment, AssignmentState, GoodPractice, PracticeState
from childfirst.plans.models import Plan

SHOWN = 6


def followup_home(user: User, plans: list[Plan]) -> dict[str, Any]:
    """One query for the follow-ups (open ones are few: they are read whole and sorted here), one for
    the office's practices awaiting selection."""
    if user.role not in FOLLOWUP_ROLES:
        return {}
    today = timezone.localdate()
    rows = (
        Assignment.objects.not_closed()
        .select_related("recommendation__plan", "department", "area")
        .order_by("recommendation__due_date", "pk")
    )
    if user.role == Role.OFFICE:
        acting = [p for p in plans if is_acting_office(user, p)]
        pending = list(rows.filter(recommendation__plan__in=acting))
        overdue = [a for a in pending if a.is_overdue(today) and a.state != AssignmentState.ANSWERED]
        answered = [a for a in pending if a.state == AssignmentState.ANSWERED]
        waiting = list(
            GoodPractice.objects.filter(plan__in=acting, state=PracticeState.SUBMITTED).select_related(
                "plan", "department", "area"
            )
        )
        return {
            "followup_shown": True,
            "followup_overdue": overdue[:SHOWN],
            "followup_overdue_total": len(overdue),
            "followup_answered": answered[:SHOWN],
            "followup_answered_total": len(answered),
            "practices_waiting": waiting[:SHOWN],
            "practices_waiting_total": len(waiting),
            "today": today,
        }
    due = list(
        rows.of_user(user).filter(
            recommendation__plan__in=plans, state__in=[AssignmentState.OPEN, AssignmentState.RETURNED]
        )
    )
    return {"followup_shown": True, "followup_due": due[:SHOWN], "followup_due_total": len(due), "today": today}
