"""What data collection tells its users through the inbox (childfirst.notifications): a round
opened, data returned or approved, a deadline near. Each `tell_*` is called inside the do_* action
whose change it announces; titles name the year and the department only."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse

from childfirst.accounts.audit import record
from childfirst.accounts.models import Role
from childfirst.notifications.models import Kind
from childfirst.notifications.notify import notify, office_of, users_of_departments
from childfirst.plans.models import Department

from .models import EDITABLE_STATES, ReportingRound, RoundState, Submission


def _title(year: int, department: Department) -> str:
    return f"{year} · {department.name}"


def _entry_url(submission: Submission) -> str:
    reporting_round = submission.round
    return reverse(
        "collection:entry", args=[reporting_round.plan.code, reporting_round.year, submission.department.code]
    )


def tell_round_opened(reporting_round: ReportingRound, departments: list[Department]) -> None:
    """Each reporting department's reporters: their submission is waiting."""
    by_department = {d.pk: d for d in departments}
    for reporter in users_of_departments(by_department, Role.DEPT_REPORTER):
        department = by_department[reporter.department_id]  # type: ignore[index]  # filtered on these ids
        url = reverse("collection:entry", args=[reporting_round.plan.code, reporting_round.year, department.code])
        notify([reporter], Kind.ROUND_OPENED, _title(reporting_round.year, department), url)


def tell_returned(submission: Submission) -> None:
    """The department's reporters: their data came back for correction (the reason is on the entry page)."""
    reporters = users_of_departments([submission.department_id], Role.DEPT_REPORTER)
    notify(reporters, Kind.DATA_RETURNED, _title(submission.round.year, submission.department), _entry_url(submission))


def tell_approved(submission: Submission) -> None:
    """The department's reporters (their data went through) and the office (it awaits acceptance)."""
    recipients = users_of_departments([submission.department_id], Role.DEPT_REPORTER)
    recipients += office_of(submission.round.plan.area)
    notify(recipients, Kind.DATA_APPROVED, _title(submission.round.year, submission.department), _entry_url(submission))


@transaction.atomic
def do_notify_deadline_near(today: datetime.date, days: int) -> int:
    """Tell the reporters of every submission not yet sent whose open round's deadline is within
    `days` days (and not past: overdue data is the office's reminder). Once per submission and
    reporter, however often it runs. Returns how many notifications were written."""
    pending = Submission.objects.filter(
        round__state=RoundState.OPEN,
        round__deadline__gte=today,
        round__deadline__lte=today + datetime.timedelta(days=days),
        state__in=list(EDITABLE_STATES),
    ).select_related("round__plan", "department")
    written = 0
    for submission in pending:
        reporters = users_of_departments([submission.department_id], Role.DEPT_REPORTER)
        title = f"{_title(submission.round.year, submission.department)} · {submission.round.deadline.isoformat()}"
        written += len(
            notify(reporters, Kind.DEADLINE_NEAR, title, _entry_url(submission), key=f"deadline:{submission.pk}")
        )
    if written:
        record("collection.deadline_notices", days=days, notifications=written)
    return written
