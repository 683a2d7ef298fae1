"""The matcher on prepared tables: exact ID links, Splink's scored links with per-field weights, duplicates
within one list, best matches (issue 12, deliverable 3)."""

from __future__ import annotations

import datetime

import pyarrow as pa

from childfirst.linkage import columns, matching

TODAY = datetime.date(2026, 1, 1)


def _table(rows):
    keys = ["record_id", "id_number", "name", "sex", "birth_date", "street"]
    return columns.prepare(pa.table({k: [r[i] for r in rows] for i, k in enumerate(keys)}), TODAY)


LEFT = _table(
    [
        ["H1", "11010520150304048X", "张伟", "女", "2015-03-04", "鹿城"],
        ["H2", "110105201405060019", "李婷", "男", "2014-05-06", "鹿城"],
        ["H3", "110105201405060027", "李娜", "女", "2014-05-06", "鹿城"],  # the twin sister
    ]
)


def test_exact_and_probabilistic():
    right = _table(
        [
            ["S1", "11010520150304048x", "张伟", "2", "2015-03-04", "鹿城"],
            ["S2", "110105201405600019", "李亭", "1", "2014-06-05", "鹿城"],  # transposed ID, day–month swap
        ]
    )
    pairs = matching.link(LEFT, right)
    by_pair = {(p.left_id, p.right_id): p for p in pairs}
    assert by_pair[("H1", "S1")].method == "id" and by_pair[("H1", "S1")].probability == 1.0
    scored = by_pair[("H2", "S2")]
    assert scored.method == "probabilistic" and scored.probability >= matching.thresholds().match
    assert scored.levels == {
        "name": "Same sound (homophone characters)",
        "birth_date": "Day and month swapped",
        "sex": "Same sex",
        "area": "Same street",
        "id_number": "Two digits transposed",
    }
    assert scored.weights["id_number"] > 0 and set(scored.weights) == set(scored.levels)
    assert ("H3", "S2") not in by_pair or by_pair[("H3", "S2")].probability < scored.probability
    decided = dict(((p.left_id, p.right_id), d) for p, d in matching.decisions(pairs))
    assert decided[("H2", "S2")] == "match"


def test_dedupe_within_one_list():
    rows = _table(
        [
            ["A", "11010520150304048X", "张伟", "女", "2015-03-04", "鹿城"],
            ["B", "11010520150304048X", "张伟", "女", "2015/3/4", "鹿城"],
            ["C", "", "張偉", "女", "20150304", "鹿城"],
            ["D", "110105201405060019", "李婷", "男", "2014-05-06", "鹿城"],
        ]
    )
    pairs = {(p.left_id, p.right_id): p for p in matching.link(rows)}
    assert pairs[("A", "B")].method == "id"
    assert pairs[("A", "C")].method == "probabilistic" and pairs[("A", "C")].probability > 0.5
    assert not any("D" in pair for pair in pairs)


def test_best_matches_one_per_right_record():
    pairs = [
        matching.MatchPair("L1", "R1", 0.97, "probabilistic"),
        matching.MatchPair("L2", "R1", 0.99, "probabilistic"),
        matching.MatchPair("L3", "R1", 1.0, "id"),
        matching.MatchPair("L1", "R2", 0.6, "probabilistic"),
    ]
    best = {p.right_id: p.left_id for p in matching.best_matches(pairs)}
    assert best == {"R1": "L3", "R2": "L1"}
    decided = {(p.left_id, p.right_id): d for p, d in matching.decisions(pairs)}
    assert decided == {("L1", "R1"): "review", ("L2", "R1"): "review", ("L3", "R1"): "match", ("L1", "R2"): "review"}
