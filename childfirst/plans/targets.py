"""The target in force in a year: the plan file's, unless a revision (TargetRevision) has changed it
from that year on. The one place that answers this; evaluation, pages and charts all ask here.

A revision changes the target and, when it gives them, the comparator and the target year; left
blank they stay as they were. Revisions apply in the order of their first year.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .formatting import spec_display
from .models import Indicator, TargetRevision


@dataclass(frozen=True)
class TargetSpec:
    comparator: str
    target: Decimal | None
    target_year: int
    revision: TargetRevision | None = None  # None: the plan file's target

    def display(self, indicator: Indicator) -> str:
        return spec_display(indicator, self.comparator, self.target)


def original_target(indicator: Indicator) -> TargetSpec:
    """The plan file's target (also when the instance carries a year's target: see apply_targets)."""
    return getattr(indicator, "_plan_target", None) or TargetSpec(
        indicator.comparator, indicator.target, indicator.target_year
    )


def carried_target(indicator: Indicator) -> TargetSpec:
    """The target the instance carries now (a year's, after apply_targets; else the plan file's)."""
    return TargetSpec(indicator.comparator, indicator.target, indicator.target_year, indicator.revision_in_force)


def revised(spec: TargetSpec, revision: TargetRevision) -> TargetSpec:
    return TargetSpec(
        comparator=revision.comparator or spec.comparator,
        target=revision.target,
        target_year=revision.target_year or spec.target_year,
        revision=revision,
    )


@dataclass(frozen=True)
class RevisionStep:
    """A revision with the target it replaced and the one it set."""

    revision: TargetRevision
    before: TargetSpec
    after: TargetSpec

    @property
    def new_display(self) -> str:
        return self.after.display(self.revision.indicator)

    @property
    def old_display(self) -> str:
        return self.before.display(self.revision.indicator)


def revision_steps(indicator: Indicator, revisions: Iterable[TargetRevision] | None = None) -> list[RevisionStep]:
    """The indicator's revisions (default: all of them) in order, each with the target before and after."""
    steps = []
    spec = original_target(indicator)
    if revisions is None:
        revisions = indicator.revisions.all()
    for revision in sorted(revisions, key=lambda r: r.from_year):
        revision.indicator = indicator  # the same instance: its unit and the plan file's target
        after = revised(spec, revision)
        steps.append(RevisionStep(revision, spec, after))
        spec = after
    return steps


def targets_in_force(indicators: Iterable[Indicator], year: int) -> dict[int, TargetSpec]:
    """The target in force in `year` for each indicator (by id), in one query."""
    indicators = list(indicators)
    revisions: dict[int, list[TargetRevision]] = defaultdict(list)
    for revision in TargetRevision.objects.filter(indicator__in=indicators).in_force(year):
        revisions[revision.indicator_id].append(revision)
    out = {}
    for indicator in indicators:
        spec = original_target(indicator)
        for revision in revisions.get(indicator.pk, []):
            spec = revised(spec, revision)
        out[indicator.pk] = spec
    return out


def target_in_force(indicator: Indicator, year: int) -> TargetSpec:
    """The target `indicator` is evaluated against in `year`: the latest revision with from_year ≤ year
    (applied over the earlier ones), else the plan file's."""
    return targets_in_force([indicator], year)[indicator.pk]


def targets_by_year(indicator: Indicator, years: Iterable[int]) -> dict[int, TargetSpec]:
    """The target in force in each of `years` (one query): for a chart's target line."""
    steps = revision_steps(indicator)
    out = {}
    for year in years:
        spec = original_target(indicator)
        for step in steps:
            if step.revision.from_year <= year:
                spec = step.after
        out[year] = spec
    return out


def target_line(indicator: Indicator, years: Iterable[int]) -> list[float | None]:
    """A chart's target line: the fixed target in force in each year (None where the target is not a
    fixed number), so the line steps where a revision takes effect."""
    fixed = {">=", "<=", "<", ">"}
    return [
        float(spec.target) if spec.target is not None and spec.comparator in fixed else None
        for spec in targets_by_year(indicator, years).values()
    ]


def apply_targets(indicators: Iterable[Indicator], specs: dict[int, TargetSpec]) -> None:
    """Give these (freshly loaded) instances the targets of one year, so that everything reading
    `indicator.target`, `.comparator`, `.target_year` or `.target_display` — the engine's Spec, the
    report tables — sees the target the year is evaluated against. The plan file's target stays on
    `original_target(indicator)`, the revision on `indicator.revision_in_force`. Such instances must
    not be saved (Indicator.save refuses)."""
    for indicator in indicators:
        spec = specs.get(indicator.pk)
        if spec is None:
            continue
        if not hasattr(indicator, "_plan_target"):
            indicator._plan_target = original_target(indicator)  # type: ignore[attr-defined]  # see docstring
        indicator.comparator = spec.comparator
        indicator.target = spec.target
        indicator.target_year = spec.target_year
        indicator.revision_in_force = spec.revision


def apply_targets_in_force(indicators: list[Indicator], year: int) -> None:
    apply_targets(indicators, targets_in_force(indicators, year))


def plan_revision_steps(revisions: Iterable[TargetRevision]) -> list[RevisionStep]:
    """Revisions of several indicators (e.g. TargetRevision.objects.of_plan), each with its before and
    after, in the order given."""
    by_indicator: dict[int, list[TargetRevision]] = defaultdict(list)
    revisions = list(revisions)
    for revision in revisions:
        by_indicator[revision.indicator_id].append(revision)
    steps = {}
    for group in by_indicator.values():
        for step in revision_steps(group[0].indicator, group):
            steps[step.revision.pk] = step
    return [steps[r.pk] for r in revisions]
