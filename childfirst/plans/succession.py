"""One series across a plan and the plans before it: an indicator's lineage (the indicators it
continues, `continues:` in the plan file) and the target each plan sets in its own years.

Which target holds in a year is plans.targets' answer (a target revised from a year on): each
plan's line asks it, limited to that plan's years.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from .models import Comparator, Indicator, Plan
from .targets import original_target, target_in_force, target_line

# Comparators whose target is a level that a chart can draw as a line.
LEVEL_COMPARATORS = {Comparator.GE, Comparator.LE, Comparator.LT, Comparator.GT}


def lineage(indicator: Indicator) -> list[Indicator]:
    """The indicator and every one it continues, earliest first, each with its plan loaded.
    A chain is short (one per plan period), so a query per link is cheap."""
    chain = [indicator]
    seen = {indicator.pk}
    current = indicator
    while current.continues_id is not None and current.continues_id not in seen:
        current = Indicator.objects.select_related("plan", "plan__area").get(pk=current.continues_id)
        seen.add(current.pk)
        chain.append(current)
    return chain[::-1]


def earlier_indicators(indicators: list[Indicator]) -> dict[int, Indicator]:
    """Every earlier indicator the given ones continue (following each chain) → the given one it
    feeds, nearest plan first wins. Two queries per link depth, not per indicator."""
    owner: dict[int, Indicator] = {}
    frontier = {i.continues_id: i for i in indicators if i.continues_id is not None}
    while frontier:
        found = Indicator.objects.filter(pk__in=frontier).only("pk", "continues_id")
        next_frontier: dict[int, Indicator] = {}
        for earlier in found:
            if earlier.pk in owner:
                continue
            owner[earlier.pk] = frontier[earlier.pk]
            if earlier.continues_id is not None and earlier.continues_id not in owner:
                next_frontier[earlier.continues_id] = frontier[earlier.pk]
        frontier = next_frontier
    return owner


def earlier_plan_ids(plan: Plan) -> set[int]:
    """The plans whose indicators this plan's indicators continue (directly or further back)."""
    ids = earlier_indicators(list(plan.indicators.active()))
    return set(Indicator.objects.filter(pk__in=ids).values_list("plan_id", flat=True))


def target_in_year(indicator: Indicator, year: int) -> Decimal | None:
    """The level target the indicator's plan has in force in `year` (revisions applied: plans.targets),
    in that plan's own years only, else None."""
    plan = indicator.plan
    if not plan.start_year <= year <= max(plan.end_year, original_target(indicator).target_year):
        return None
    spec = target_in_force(indicator, year)
    return spec.target if spec.comparator in LEVEL_COMPARATORS else None


@dataclass(frozen=True)
class TargetSegment:
    """The target one plan of the lineage sets, over that plan's own years."""

    indicator: Indicator
    plan: Plan
    first_year: int
    last_year: int
    target: Decimal | None

    @property
    def label(self) -> str:
        return f"{self.plan.display_name} {self.indicator.target_display}"


def target_segments(chain: list[Indicator]) -> list[TargetSegment]:
    """One segment per plan of the lineage, earliest first."""
    segments = []
    for indicator in chain:
        plan = indicator.plan
        first, last = plan.start_year, max(plan.end_year, original_target(indicator).target_year)
        segments.append(TargetSegment(indicator, plan, first, last, target_in_year(indicator, last)))
    return segments


def targets_by_year(chain: list[Indicator], years: list[int]) -> list[list[float | None]]:
    """For a chart: one list per plan of the lineage, the target in force in each of `years` (a
    revision makes it step; None outside that plan's years), so each plan's target is drawn in its
    own years only. One query per plan (plans.targets.target_line)."""
    lines = []
    for indicator in chain:
        plan = indicator.plan
        last = max(plan.end_year, original_target(indicator).target_year)
        line = target_line(indicator, years)
        lines.append([v if plan.start_year <= y <= last else None for y, v in zip(years, line, strict=True)])
    return lines


@dataclass
class Lineage:
    """What a page says of an indicator's series across plans: the indicators it continues, the
    notes on changed definitions, which plan a year belongs to, and each plan's target line."""

    chain: list[Indicator]  # earliest first; the last is the indicator itself

    @property
    def indicator(self) -> Indicator:
        return self.chain[-1]

    @property
    def earlier(self) -> list[Indicator]:
        """The indicators it continues, nearest first."""
        return self.chain[-2::-1]

    @property
    def notes(self) -> list[Indicator]:
        """The links of the chain whose definition changed (their `continues_note`), latest first."""
        return [i for i in reversed(self.chain) if i.continues_note]

    def plan_of_year(self, year: int) -> Plan:
        """The plan a year of the series belongs to: the latest plan of the chain that had begun
        by then (a year before every plan belongs to the earliest)."""
        begun = [i.plan for i in self.chain if i.plan.start_year <= year]
        return begun[-1] if begun else self.chain[0].plan

    def target_lines(self, years: list[int]) -> list[dict]:
        """For a chart, when there is more than one plan: one target line per plan, drawn in that
        plan's own years only, named after its plan. Empty for a single plan (its page draws its
        one target as before)."""
        if len(self.chain) < 2:
            return []
        return [
            {"name": _("Target of %(plan)s: %(target)s") % {"plan": i.plan.display_name, "target": i.target_display},
             "data": data}
            for i, data in zip(self.chain, targets_by_year(self.chain, years), strict=True)
            if any(v is not None for v in data)
        ]  # fmt: skip


def lineage_of(indicator: Indicator) -> Lineage:
    return Lineage(lineage(indicator))
