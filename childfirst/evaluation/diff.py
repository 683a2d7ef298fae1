"""What changed between two published versions of an evaluation, figure by figure."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Snapshot


@dataclass(frozen=True)
class Change:
    indicator: str
    area: str
    what: str  # "value <year>", "status", "latest value", "projected"
    before: object
    after: object


def diff_snapshots(old: Snapshot, new: Snapshot) -> list[Change]:
    changes: list[Change] = []

    def values(snapshot: Snapshot) -> dict:
        return {
            (v.indicator.code, v.area.code, v.year): v.value
            for v in snapshot.values.select_related("indicator", "area")
        }

    def results(snapshot: Snapshot) -> dict:
        return {(r.indicator.code, r.area.code): r for r in snapshot.results.select_related("indicator", "area")}

    before, after = values(old), values(new)
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            changes.append(Change(key[0], key[1], f"value {key[2]}", before.get(key), after.get(key)))
    before_results, after_results = results(old), results(new)
    for key in sorted(set(before_results) | set(after_results)):
        a, b = before_results.get(key), after_results.get(key)
        for field, label in (("status", "status"), ("latest_value", "latest value"), ("projected", "projected")):
            x, y = getattr(a, field, None), getattr(b, field, None)
            if x != y:
                changes.append(Change(key[0], key[1], label, x, y))
    return changes
