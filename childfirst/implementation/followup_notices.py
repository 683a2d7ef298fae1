"""What recommendations and good practices tell their users through the inbox. Each `tell_*` is called
inside the do_* action whose change it announces. Titles name the recommendation's number, year and
addressee (a department or a street), never what anyone typed: a title is shown in lists and e-mail."""

from __future__ import annotations

from django.urls import reverse

from childfirst.accounts.models import Role, User
from childfirst.notifications.models import Kind
from childfirst.notifications.notify import keepers_of, notify, office_of, users_of_departments

from .models import Assignment, GoodPractice, Recommendation


def _addressees(assignment: Assignment) -> list[User]:
    """The department's reporters and reviewers, or the street's supervisors."""
    if assignment.department_id is not None:
        return users_of_departments([assignment.department_id], Role.DEPT_REPORTER) + users_of_departments(
            [assignment.department_id], Role.DEPT_REVIEWER
        )
    assert assignment.area is not None  # a department or a street (a check constraint)
    return keepers_of(assignment.area, Role.STREET_SUPERVISOR)


def _url(recommendation: Recommendation) -> str:
    return reverse("implementation:recommendation", args=[recommendation.plan.code, recommendation.pk])


def _title(recommendation: Recommendation, assignment: Assignment) -> str:
    return f"#{recommendation.pk} · {recommendation.year} · {assignment}"


def tell_issued(recommendation: Recommendation, assignments: list[Assignment]) -> None:
    for assignment in assignments:
        notify(_addressees(assignment), Kind.RECOMMENDATION, _title(recommendation, assignment), _url(recommendation))


def tell_answered(assignment: Assignment) -> None:
    recommendation = assignment.recommendation
    notify(
        office_of(recommendation.plan.area), Kind.REC_ANSWERED, _title(recommendation, assignment), _url(recommendation)
    )


def tell_decided(assignment: Assignment, kind: Kind) -> None:
    """The addressee: its answer was accepted (REC_CLOSED) or sent back (REC_RETURNED)."""
    recommendation = assignment.recommendation
    notify(_addressees(assignment), kind, _title(recommendation, assignment), _url(recommendation))


def tell_overdue(assignment: Assignment) -> None:
    """The office and the addressee, once per addressee (keyed), however often the daily job runs."""
    recommendation = assignment.recommendation
    recipients = office_of(recommendation.plan.area) + _addressees(assignment)
    notify(
        recipients,
        Kind.REC_OVERDUE,
        f"{_title(recommendation, assignment)} · {recommendation.due_date.isoformat()}",
        _url(recommendation),
        key=f"rec-overdue:{assignment.pk}",
    )


def _practice_url(practice: GoodPractice) -> str:
    return reverse("implementation:practice", args=[practice.plan.code, practice.pk])


def tell_practice_submitted(practice: GoodPractice) -> None:
    notify(
        office_of(practice.plan.area),
        Kind.PRACTICE_SUBMITTED,
        f"#{practice.pk} · {practice.year} · {practice.department or practice.area}",
        _practice_url(practice),
    )


def tell_practice_decided(practice: GoodPractice) -> None:
    """The submitting department's reporters and reviewers, or the street's supervisors."""
    if practice.department_id is not None:
        recipients = users_of_departments([practice.department_id], Role.DEPT_REPORTER) + users_of_departments(
            [practice.department_id], Role.DEPT_REVIEWER
        )
    else:
        assert practice.area is not None
        recipients = keepers_of(practice.area, Role.STREET_SUPERVISOR)
    notify(
        recipients,
        Kind.PRACTICE_DECIDED,
        f"#{practice.pk} · {practice.year} · {practice.get_state_display()}",
        _practice_url(practice),
    )
