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

    # Plain rows, not model objects: a snapshot holds thousands of values, each with its provenance.
    def values(snapshot: Snapshot) -> dict:
        rows = snapshot.values.values_list("indicator__code", "area__code", "year", "value")
        return {(code, area, year): value for code, area, year, value in rows}

    def results(snapshot: Snapshot) -> dict:
        rows = snapshot.results.values("indicator__code", "area__code", "status", "latest_value", "projected")
        return {(r["indicator__code"], r["area__code"]): r for r in rows}

    before, after = values(old), values(new)
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            changes.append(Change(key[0], key[1], f"value {key[2]}", before.get(key), after.get(key)))
    before_results, after_results = results(old), results(new)
    for key in sorted(set(before_results) | set(after_results)):
        a, b = before_results.get(key), after_results.get(key)
        for field, label in (("status", "status"), ("latest_value", "latest value"), ("projected", "projected")):
            x, y = (a or {}).get(field), (b or {}).get(field)
            if x != y:
                changes.append(Change(key[0], key[1], label, x, y))
    return changes
