"""The visit policy (data/visit_policy.yaml) and the arithmetic of when a child is next due.

Pure Python: no ORM here, so the rule is tested on its own and the pages feed it what they
already loaded. The rule: a child's interval is the strictest (fewest days) of the default, the
interval of each current category (a sub-category without its own line takes its parent's) and
the interval of its current risk level.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from childfirst.datafile import DataFile

POLICY_FILE = Path(__file__).resolve().parent.parent / "data" / "visit_policy.yaml"

RiskCode = Literal["low", "medium", "high"]
Days = int


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TriageHours(_Strict):
    urgent: int = Field(ge=1, le=24 * 14)
    normal: int = Field(ge=1, le=24 * 30)


class IntakeLimit(_Strict):
    per_ip: int = Field(ge=1)
    window_minutes: int = Field(ge=1)


class MandatoryReportPolicy(_Strict):
    triage_hours: TriageHours
    intake_limit: IntakeLimit


class TaskPolicy(_Strict):
    high_risk_days: int = Field(ge=0, le=30)
    escalated_report_days: int = Field(ge=0, le=30)


class VisitPolicy(_Strict):
    schema_version: Literal[1]
    default_days: Days = Field(ge=1, le=3660)
    first_visit_days: Days = Field(ge=0, le=366)
    by_risk_level: dict[RiskCode, Days] = {}
    by_category: dict[str, Days] = {}
    mandatory_reports: MandatoryReportPolicy
    tasks: TaskPolicy

    def interval(
        self,
        categories: Iterable[str],
        risk_level: str | None,
        parents: Mapping[str, str | None] | None = None,
    ) -> Interval:
        """The strictest interval that applies, and what it comes from.

        `categories` are the codes of the child's current categories; `parents` maps a code to
        its parent's code, so that a sub-category inherits its parent's interval."""
        best = Interval(self.default_days, "default", "")
        for code in categories:
            days, source = self._category_days(code, parents or {})
            if days is not None and days < best.days:
                best = Interval(days, "category", source)
        if risk_level is not None and risk_level in self.by_risk_level:
            days = self.by_risk_level[risk_level]
            if days < best.days:
                best = Interval(days, "risk", risk_level)
        return best

    def _category_days(self, code: str, parents: Mapping[str, str | None]) -> tuple[Days | None, str]:
        seen: set[str] = set()
        current: str | None = code
        while current is not None and current not in seen:
            if current in self.by_category:
                return self.by_category[current], current
            seen.add(current)
            current = parents.get(current)
        return None, ""

    def triage_hours(self, urgent: bool) -> int:
        hours = self.mandatory_reports.triage_hours
        return hours.urgent if urgent else hours.normal


@dataclass(frozen=True)
class Interval:
    days: Days
    source: Literal["default", "category", "risk"]
    code: str  # the category or risk level it comes from; "" for the default


@dataclass(frozen=True)
class Due:
    """When a child is next due for a visit, seen from `today`."""

    date: datetime.date
    interval: Interval
    last_visit: datetime.date | None
    today: datetime.date

    @property
    def days_left(self) -> int:
        """Days until due; negative when overdue."""
        return (self.date - self.today).days

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    @property
    def is_overdue(self) -> bool:
        return self.date < self.today


def next_due(
    policy: VisitPolicy,
    *,
    last_visit: datetime.date | None,
    opened_on: datetime.date,
    categories: Iterable[str],
    risk_level: str | None,
    today: datetime.date,
    parents: Mapping[str, str | None] | None = None,
    risk_since: datetime.date | None = None,
) -> Due:
    """The next visit: the interval after the last visit, or `first_visit_days` after the file was
    opened when nobody has visited yet. A risk level that tightens the interval brings the date
    forward at once (it is computed, not stored), but counts from the assessment (`risk_since`),
    not from a visit made before it: a child visited in January and rated high-risk on 1 March is
    due by 8 March (weekly), not overdue since 8 January."""
    categories = list(categories)
    interval = policy.interval(categories, risk_level, parents)
    date = _due_after(policy, interval, last_visit, opened_on)
    if interval.source == "risk" and risk_since is not None and (last_visit is None or last_visit < risk_since):
        before = _due_after(policy, policy.interval(categories, None, parents), last_visit, opened_on)
        date = min(before, risk_since + datetime.timedelta(days=interval.days))
    return Due(date=date, interval=interval, last_visit=last_visit, today=today)


def _due_after(
    policy: VisitPolicy, interval: Interval, last_visit: datetime.date | None, opened_on: datetime.date
) -> datetime.date:
    if last_visit is None:
        return opened_on + datetime.timedelta(days=min(policy.first_visit_days, interval.days))
    return last_visit + datetime.timedelta(days=interval.days)


def load_policy(path: Path = POLICY_FILE) -> VisitPolicy:
    """The policy in `path`; DataFileInvalid naming line and column when it is wrong."""
    return DataFile.read(path).validate(VisitPolicy)


@lru_cache(maxsize=1)
def current_policy() -> VisitPolicy:
    return load_policy()
