"""The reporting round's completeness and timeliness as it stood when an evaluation was published.

Reports print these figures; keeping them in the snapshot means a round reopened later cannot
change what a published report of that year says. Only departments, areas and counts: no person.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from childfirst.collection.completeness import round_completeness
from childfirst.collection.models import ReportingRound
from childfirst.plans.models import Plan


def completeness_record(plan: Plan, year: int, as_of: datetime.datetime) -> dict[str, Any]:
    """A JSON-ready record of the year's round at `as_of`; empty when there was no round."""
    reporting_round = ReportingRound.objects.filter(plan=plan, year=year).first()
    if reporting_round is None:
        return {}
    completeness = round_completeness(reporting_round, today=timezone.localdate(as_of))
    return {
        "opened_at": timezone.localdate(reporting_round.opened_at).isoformat(),
        "deadline": reporting_round.deadline.isoformat(),
        "departments": [
            {
                "code": row.submission.department.code,
                "name": row.submission.department.name,
                "expected": row.expected,
                "answered": row.answered,
                "submitted_on": (
                    timezone.localdate(row.submission.submitted_at).isoformat() if row.submission.submitted_at else None
                ),
                "on_time": row.on_time,
                "submitted": row.submitted,
                "accepted": row.accepted,
                "state": row.submission.state,
            }
            for row in sorted(completeness.departments, key=lambda r: r.submission.department.code)
        ],
        "streets": [
            {"code": row.area.code, "name": row.area.name, "expected": row.expected, "answered": row.answered}
            for row in completeness.streets
            if row.expected
        ],
    }
