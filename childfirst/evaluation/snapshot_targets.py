"""The target a published result was evaluated against: stored with each SnapshotResult when
publishing, and put back on the indicators whenever a snapshot is read (reports, portal, open data),
so a published year shows its own target even after a later revision."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from childfirst.plans.models import Indicator
from childfirst.plans.targets import TargetSpec, apply_targets

from .models import SnapshotResult


def evaluated_target(indicator: Indicator) -> dict[str, Any]:
    """SnapshotResult's target fields for an indicator carrying the year's target (data.collect)."""
    revision = indicator.revision_in_force
    return {
        "comparator": indicator.comparator,
        "target": indicator.target,
        "target_year": indicator.target_year,
        "revision_document": revision.document if revision else "",
        "revision_decided_on": revision.decided_on if revision else None,
    }


def result_target(result: SnapshotResult) -> TargetSpec | None:
    if not result.comparator or result.target_year is None:
        return None
    return TargetSpec(result.comparator, result.target, result.target_year)


def apply_result_targets(results: Iterable[SnapshotResult], indicators: Iterable[Indicator] | None = None) -> None:
    """Give the indicators (default: each result's own `indicator`) the targets these results were
    evaluated against. Pass district results: every area of a snapshot shares its indicator's target."""
    results = list(results)
    specs = {r.indicator_id: spec for r in results if (spec := result_target(r)) is not None}
    apply_targets(indicators if indicators is not None else [r.indicator for r in results], specs)
