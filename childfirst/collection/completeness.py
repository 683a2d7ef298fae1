"""Completeness and timeliness of a round: per department and per street, expected cells,
answered cells, on-time submission and approval. Only counts; no value leaves here."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.utils import timezone

from childfirst.areas.models import Area
from childfirst.plans.models import Plan

from .models import ReportingRound, Submission, SubmissionState
from .scope import expected_by_department, streets_in_year

REVIEWED = {SubmissionState.APPROVED, SubmissionState.ACCEPTED}
SENT = {SubmissionState.SUBMITTED, *REVIEWED}


@dataclass
class DepartmentRow:
    submission: Submission
    expected: int
    answered: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.expected) if self.expected else 100

    @property
    def on_time(self) -> bool | None:
        """True/False once submitted; None while not yet submitted."""
        sent_at = self.submission.submitted_at
        if sent_at is None:
            return None
        return timezone.localdate(sent_at) <= self.submission.round.deadline

    @property
    def submitted(self) -> bool:
        return self.submission.state in SENT

    @property
    def approved(self) -> bool:
        return self.submission.state in REVIEWED

    @property
    def accepted(self) -> bool:
        return self.submission.state == SubmissionState.ACCEPTED


@dataclass
class StreetRow:
    area: Area
    expected: int
    answered: int

    @property
    def missing(self) -> int:
        return self.expected - self.answered

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.expected) if self.expected else 100


@dataclass
class RoundCompleteness:
    departments: list[DepartmentRow]
    streets: list[StreetRow]
    overdue: list[DepartmentRow]

    @property
    def expected(self) -> int:
        return sum(r.expected for r in self.departments)

    @property
    def answered(self) -> int:
        return sum(r.answered for r in self.departments)

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.expected) if self.expected else 100

    @property
    def accepted_count(self) -> int:
        return sum(1 for r in self.departments if r.accepted)

    @property
    def submitted_count(self) -> int:
        return sum(1 for r in self.departments if r.submitted)

    @property
    def on_time_count(self) -> int:
        return sum(1 for r in self.departments if r.on_time)


def round_completeness(reporting_round: ReportingRound, today: datetime.date | None = None) -> RoundCompleteness:
    today = today or timezone.localdate()
    plan, year = reporting_round.plan, reporting_round.year
    submissions = list(reporting_round.submissions.select_related("department", "round", "submitted_by"))
    answered_by_submission: Counter[int] = Counter()
    answered_by_area: Counter[int] = Counter()
    answered_cells: set[tuple[int, int]] = set()
    for submission_id, indicator_id, area_id in reporting_round.values.answered().values_list(
        "submission_id", "indicator_id", "area_id"
    ):
        answered_by_submission[submission_id] += 1
        answered_by_area[area_id] += 1
        answered_cells.add((indicator_id, area_id))
    streets = streets_in_year(plan, year)
    expected_by_area: Counter[int] = Counter()
    expected_all = expected_by_department(plan, year)
    rows = []
    for submission in submissions:
        expected = expected_all.get(submission.department_id)
        cells = expected.cells() if expected else []
        carried = 0  # already reported in an earlier plan (collection/succession.py): present
        for indicator, area in cells:
            expected_by_area[area.pk] += 1
            if expected and expected.carried_for(indicator, area) and (indicator.pk, area.pk) not in answered_cells:
                carried += 1
                answered_by_area[area.pk] += 1
        rows.append(DepartmentRow(submission, len(cells), answered_by_submission[submission.pk] + carried))
    street_rows = [StreetRow(s, expected_by_area[s.pk], answered_by_area[s.pk]) for s in streets]
    district = plan.area
    street_rows.append(StreetRow(district, expected_by_area[district.pk], answered_by_area[district.pk]))
    overdue_ids = set(Submission.objects.filter(round=reporting_round).overdue(today).values_list("pk", flat=True))
    return RoundCompleteness(rows, street_rows, [r for r in rows if r.submission.pk in overdue_ids])


@dataclass
class Outstanding:
    """What of a year's round is not accepted yet: what publishing that year would leave out or
    freeze unreviewed. Empty (falsy) when every department is accepted and every value is in."""

    reporting_round: ReportingRound | None
    departments: list[DepartmentRow]  # not accepted by the office, with their state
    streets: list[StreetRow]  # with values missing (the district itself included, last)
    missing_values: int

    @property
    def round_open(self) -> bool:
        return self.reporting_round is not None and self.reporting_round.is_open

    def __bool__(self) -> bool:
        return bool(self.round_open or self.departments or self.missing_values)

    def summary(self) -> dict[str, object]:
        """Codes and counts for the audit row: no value, no person."""
        return {
            "round_open": self.round_open,
            "departments": {r.submission.department.code: r.submission.state for r in self.departments},
            "streets": {r.area.code: r.missing for r in self.streets},
            "missing_values": self.missing_values,
        }


def outstanding(plan: Plan, year: int, today: datetime.date | None = None) -> Outstanding:
    """The year's round as the office would publish it now. A year without a round (figures loaded
    from earlier monitoring) has nothing outstanding to show."""
    reporting_round = ReportingRound.objects.filter(plan=plan, year=year).first()
    if reporting_round is None:
        return Outstanding(None, [], [], 0)
    completeness = round_completeness(reporting_round, today)
    departments = [r for r in completeness.departments if not r.accepted]
    streets = [r for r in completeness.streets if r.answered < r.expected]
    return Outstanding(reporting_round, departments, streets, completeness.expected - completeness.answered)
