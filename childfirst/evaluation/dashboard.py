"""What the dashboards show, computed once per plan × year × state of the accepted data.

Evaluating the whole plan takes a few tens of milliseconds; the result is cached under a key that
changes whenever an accepted value or an acceptance changes, so pages stay fast and never stale.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max

from childfirst.collection.models import DataValue, Submission, SubmissionState
from childfirst.plans.models import Domain, Plan
from childfirst.plans.succession import earlier_plan_ids

from .data import Dataset, Evaluated, collect, evaluate_dataset
from .labels import STATUS_ORDER


@dataclass
class Board:
    data: Dataset
    rows: list[Evaluated]

    @property
    def district(self) -> list[Evaluated]:
        return [r for r in self.rows if r.area.pk == self.data.plan.area_id]

    def for_area(self, area_code: str) -> list[Evaluated]:
        return [r for r in self.rows if r.area.code == area_code]

    def for_indicator(self, code: str) -> list[Evaluated]:
        return [r for r in self.rows if r.indicator.code == code]

    def warnings_first(self, rows: list[Evaluated]) -> list[Evaluated]:
        """Rows with warnings, worst status first."""
        flagged = [r for r in rows if r.result.warnings or r.result.status in ("at_risk", "not_achieved")]
        return sorted(flagged, key=lambda r: (STATUS_ORDER.index(r.result.status), r.indicator.code))

    def counts_by_domain(self, rows: list[Evaluated]) -> list[tuple[Domain, Counter]]:
        grouped: dict[int, Counter] = defaultdict(Counter)
        domains: dict[int, Domain] = {}
        for row in rows:
            grouped[row.indicator.domain_id][row.result.status] += 1
            domains[row.indicator.domain_id] = row.indicator.domain
        return [(domains[d], grouped[d]) for d in sorted(domains, key=lambda d: domains[d].number)]


def _data_state(plan: Plan) -> str:
    """Changes whenever an accepted value, or which submissions are accepted, changes — in this plan
    or in an earlier one whose series its indicators continue (evaluation/data.py)."""
    plans = {plan.pk, *earlier_plan_ids(plan)}
    values = DataValue.objects.filter(round__plan__in=plans, submission__state=SubmissionState.ACCEPTED).aggregate(
        n=Count("id"), t=Max("updated_at")
    )
    accepted = Submission.objects.filter(round__plan__in=plans, state=SubmissionState.ACCEPTED).aggregate(
        n=Count("id"), t=Max("accepted_at")
    )
    return f"{values['n']}:{values['t']}:{accepted['n']}:{accepted['t']}:{plan.loaded_at}"


def board(plan: Plan, year: int) -> Board:
    state = hashlib.sha256(_data_state(plan).encode()).hexdigest()[:32]  # keys must be free of spaces
    key = f"evaluation-board:{plan.pk}:{year}:{state}"
    cached = cache.get(key)
    if cached is None:
        data = collect(plan, year)
        cached = Board(data, evaluate_dataset(data))
        cache.set(key, cached, timeout=3600)
    return cached
