"""The home page's sections for the roles of data collection: a reporter's rounds and what is due
or returned, a reviewer's submissions awaiting review, the office's round progress and what awaits it.
Each takes the signed-in user and reuses collection's scoped QuerySets; a handful of queries each."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from childfirst.accounts.models import User
from childfirst.collection.completeness import RoundCompleteness, round_completeness
from childfirst.collection.models import EDITABLE_STATES, ReportingRound, RoundState, Submission, SubmissionState
from childfirst.plans.models import Plan


@dataclass
class DueItem:
    """A department's submission of an open round, with the days left to its deadline."""

    submission: Submission
    today: datetime.date

    @property
    def days_left(self) -> int:
        return (self.submission.round.deadline - self.today).days

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    @property
    def overdue(self) -> bool:
        return self.days_left < 0 and self.submission.state in EDITABLE_STATES


def _open_submissions(user: User) -> list[Submission]:
    return list(
        Submission.objects.visible_to(user)
        .filter(round__state=RoundState.OPEN)
        .select_related("round__plan", "department")
        .order_by("round__deadline", "department__code")
    )


def reporter_home(user: User) -> dict[str, Any]:
    today = timezone.localdate()
    items = [DueItem(s, today) for s in _open_submissions(user)]
    return {
        "returned": [i for i in items if i.submission.state == SubmissionState.RETURNED],
        "to_do": [i for i in items if i.submission.state == SubmissionState.DRAFT],
        "sent": [i for i in items if i.submission.state not in EDITABLE_STATES],
    }


def reviewer_home(user: User) -> dict[str, Any]:
    today = timezone.localdate()
    awaiting = (
        Submission.objects.visible_to(user)
        .filter(state=SubmissionState.SUBMITTED)
        .select_related("round__plan", "department", "submitted_by")
        .order_by("submitted_at")
    )
    items = [DueItem(s, today) for s in _open_submissions(user)]
    return {
        "awaiting_review": list(awaiting),
        "rounds": [i for i in items if i.submission.state != SubmissionState.SUBMITTED],
    }


@dataclass
class RoundProgress:
    reporting_round: ReportingRound
    completeness: RoundCompleteness


def office_home(user: User, plan: Plan | None) -> dict[str, Any]:
    """Round progress of the open rounds, and the submissions approved by their department that
    wait for the office to accept them."""
    if plan is None:
        return {"rounds": [], "to_accept": []}
    rounds = ReportingRound.objects.filter(plan=plan, state=RoundState.OPEN).select_related("plan__area")
    to_accept = (
        Submission.objects.visible_to(user)
        .filter(round__plan=plan, state=SubmissionState.APPROVED)
        .select_related("round__plan", "department")
        .order_by("reviewed_at")
    )
    return {
        "rounds": [RoundProgress(r, round_completeness(r)) for r in rounds],
        "to_accept": list(to_accept),
    }
