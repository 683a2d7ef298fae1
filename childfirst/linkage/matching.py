"""The matcher: two lists (or one, for duplicates) → scored pairs, with each field's part in the score.

Exact on a valid ID number first: a DuckDB join, and most rows of department lists are linked
there. Splink then scores only the residue — every right record left without an ID partner
against the whole left list — with blocking rules that keep the candidate pairs few (same birth
date and surname sound, same name sound and birth year, the ID number's date and prefix digits …).
Every probabilistic link's probability and per-field match weights come from the Splink model.

The model (comparisons, blocking rules, trained m/u probabilities and prior) is Splink's own JSON
in data/splink_model.json, with SQL that DuckDB and Spark both run (equality, LIKE, substr,
levenshtein, and columns prepared here such as the day–month-swapped date), so the same file runs
on Splink's Spark backend beyond one machine. `train()` re-estimates it from given lists;
thresholds are in data/linkage.yaml.

Input tables have the columns of `columns.prepare` (INPUT_COLUMNS); `id_number` is whatever
exact key the caller has (the valid number or its keyed hash), `id_digits` the cleaned characters
as given (for comparing a damaged number). No ORM here.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb
import pyarrow as pa
import pydantic
from django.utils.translation import gettext_noop

from childfirst.datafile import DataFile

DATA = Path(__file__).parent / "data"
MODEL_FILE = DATA / "splink_model.json"
THRESHOLDS_FILE = DATA / "linkage.yaml"
INPUT_COLUMNS = (
    "record_id",
    "id_number",
    "id_digits",
    "name",
    "pinyin",
    "surname_pinyin",
    "given_pinyin",
    "sex",
    "birth_date",
    "street",
    "community",
)
Method = Literal["id", "probabilistic"]


@dataclass(frozen=True)
class MatchPair:
    """A scored pair. `weights`: per comparison, Splink's match weight (log2 Bayes factor: >0 for
    a match, <0 against); `levels`: per comparison the level's label, an English msgid with its
    Chinese translation (show it with gettext)."""

    left_id: str
    right_id: str
    probability: float
    method: Method
    weights: dict[str, float] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)


class Thresholds(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    match: float = pydantic.Field(gt=0, le=1)
    review: float = pydantic.Field(gt=0, le=1)

    @pydantic.model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.review > self.match:
            raise ValueError("review must not be above match")
        return self


@functools.cache
def thresholds(path: Path = THRESHOLDS_FILE) -> Thresholds:
    return DataFile.read(path).validate(Thresholds)


# -- the model -------------------------------------------------------------------------------

# Level labels: msgids translated in django.po; gettext_noop so the strings are found by grep.
ID_EXACT = gettext_noop("Same valid ID number")


def _level(sql: str, label: str, *, null: bool = False) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    return level


def comparisons() -> list[dict[str, Any]]:
    """The comparisons, in SQL both DuckDB and Spark run."""
    return [
        {
            "output_column_name": "name",
            "comparison_description": "name",
            "comparison_levels": [
                _level('"pinyin_l" IS NULL OR "pinyin_r" IS NULL', gettext_noop("Name missing"), null=True),
                _level('"name_l" = "name_r"', gettext_noop("Same name")),
                _level('"pinyin_l" = "pinyin_r"', gettext_noop("Same sound (homophone characters)")),
                _level(
                    '"surname_pinyin_l" = "surname_pinyin_r" AND length("given_pinyin_l") > 0 '
                    'AND length("given_pinyin_r") > 0 AND ("given_pinyin_l" LIKE concat("given_pinyin_r", \'%\') '
                    'OR "given_pinyin_r" LIKE concat("given_pinyin_l", \'%\'))',
                    gettext_noop("Given name shortened"),
                ),
                _level('levenshtein("pinyin_l", "pinyin_r") <= 2', gettext_noop("Similar sound")),
                _level('"surname_pinyin_l" = "surname_pinyin_r"', gettext_noop("Same surname only")),
                _level("ELSE", gettext_noop("Different name")),
            ],
        },
        {
            "output_column_name": "birth_date",
            "comparison_description": "birth date",
            "comparison_levels": [
                _level('"bd_l" IS NULL OR "bd_r" IS NULL', gettext_noop("Date of birth missing"), null=True),
                _level('"bd_l" = "bd_r"', gettext_noop("Same date of birth")),
                _level('"bd_swap_l" = "bd_r"', gettext_noop("Day and month swapped")),
                _level('levenshtein("bd_l", "bd_r") = 1', gettext_noop("One digit of the date differs")),
                _level('substr("bd_l", 1, 7) = substr("bd_r", 1, 7)', gettext_noop("Same year and month")),
                _level("ELSE", gettext_noop("Different date of birth")),
            ],
        },
        {
            "output_column_name": "sex",
            "comparison_description": "sex",
            "comparison_levels": [
                _level('"sex_l" IS NULL OR "sex_r" IS NULL', gettext_noop("Sex missing"), null=True),
                _level('"sex_l" = "sex_r"', gettext_noop("Same sex")),
                _level("ELSE", gettext_noop("Different sex")),
            ],
        },
        {
            "output_column_name": "area",
            "comparison_description": "street and community",
            "comparison_levels": [
                _level('"street_l" IS NULL OR "street_r" IS NULL', gettext_noop("Area missing"), null=True),
                _level(
                    '"street_l" = "street_r" AND "community_l" = "community_r"',
                    gettext_noop("Same street and community"),
                ),
                _level('"street_l" = "street_r"', gettext_noop("Same street")),
                _level("ELSE", gettext_noop("Different street")),
            ],
        },
        {
            "output_column_name": "id_number",
            "comparison_description": "ID number characters",
            "comparison_levels": [
                _level('"id_digits_l" IS NULL OR "id_digits_r" IS NULL', gettext_noop("ID number missing"), null=True),
                _level('"id_digits_l" = "id_digits_r"', gettext_noop("Same ID number characters")),
                _level('"id17_l" = "id17_r"', gettext_noop("Only the check character differs")),
                _level('levenshtein("id_digits_l", "id_digits_r") <= 1', gettext_noop("One character differs")),
                _level(
                    'levenshtein("id_digits_l", "id_digits_r") = 2 AND "id_sorted_l" = "id_sorted_r"',
                    gettext_noop("Two digits transposed"),
                ),
                _level("ELSE", gettext_noop("Different ID number")),
            ],
        },
    ]


def blocking_rules() -> list[str]:
    """Candidate pairs: each rule an equality join, so each block is small."""
    return [
        'l."bd" = r."bd" AND l."surname_pinyin" = r."surname_pinyin"',
        'l."pinyin" = r."pinyin" AND l."birth_year" = r."birth_year"',
        'l."bd_swap" = r."bd" AND l."surname_pinyin" = r."surname_pinyin"',
        'l."bd" = r."bd" AND l."given_pinyin" = r."given_pinyin"',
        'l."id_prefix" = r."id_prefix"',
        'l."id_tail" = r."id_tail" AND l."surname_pinyin" = r."surname_pinyin"',
        'l."pinyin" = r."pinyin" AND l."street" = r."street"',
    ]


def settings(link_type: str = "link_only") -> dict[str, Any]:
    """Untrained settings (train() fills in m, u and the prior)."""
    return {
        "link_type": link_type,
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 1e-6,
        "comparisons": comparisons(),
        "blocking_rules_to_generate_predictions": [{"blocking_rule": rule} for rule in blocking_rules()],
        "retain_intermediate_calculation_columns": True,
        "retain_matching_columns": False,
        "additional_columns_to_retain": ["record_id"],
    }


# -- preparing the tables ------------------------------------------------------------------

# The derived columns the comparisons and blocking rules use, computed once per record.
_DERIVED = """
    SELECT row_number() OVER () - 1 AS unique_id, record_id, id_number, id_digits, name, pinyin,
           surname_pinyin, given_pinyin, sex, street, community,
           strftime(birth_date, '%Y-%m-%d') AS bd,
           CASE WHEN day(birth_date) <= 12 AND day(birth_date) <> month(birth_date)
                THEN strftime(make_date(year(birth_date), day(birth_date), month(birth_date)), '%Y-%m-%d')
           END AS bd_swap,
           year(birth_date) AS birth_year,
           CASE WHEN length(id_digits) >= 17 THEN substr(id_digits, 1, 17) END AS id17,
           CASE WHEN length(id_digits) >= 14 THEN substr(id_digits, 1, 14) END AS id_prefix,
           CASE WHEN length(id_digits) >= 18 THEN substr(id_digits, 11, 8) END AS id_tail,
           list_aggregate(list_sort(string_split(id_digits, '')), 'string_agg', '') AS id_sorted
    FROM {source}
"""


def _register(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    missing = [column for column in INPUT_COLUMNS if column not in table.column_names]
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)}")
    con.register(f"{name}_arrow", table.select(list(INPUT_COLUMNS)))
    con.execute(f"CREATE OR REPLACE TABLE {name} AS {_DERIVED.format(source=name + '_arrow')}")
    con.unregister(f"{name}_arrow")


def _connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("SET preserve_insertion_order = false")
    return con


def _linker(con: duckdb.DuckDBPyConnection, tables: list[str], model: dict[str, Any]) -> Any:
    from splink import DuckDBAPI, Linker

    db_api = DuckDBAPI(con)
    frames = [db_api.register(table, dataset_display_name=table) for table in tables]
    return Linker(frames if len(frames) > 1 else frames[0], model, log_level=logging.WARNING)


@functools.cache
def _model(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def load_model(link_type: str, path: Path = MODEL_FILE) -> dict[str, Any]:
    model: dict[str, Any] = json.loads(_model(path))
    model["link_type"] = link_type
    model.pop("linker_uid", None)
    return model


# -- linking ------------------------------------------------------------------------------------


def _id_pairs(con: duckdb.DuckDBPyConnection, right: str | None) -> list[MatchPair]:
    if right is None:
        sql = """SELECT l.record_id, r.record_id FROM left_records l JOIN left_records r
                 ON l.id_number = r.id_number AND l.unique_id < r.unique_id"""
    else:
        sql = """SELECT l.record_id, r.record_id FROM left_records l JOIN right_records r
                 ON l.id_number = r.id_number"""
    return [MatchPair(str(a), str(b), 1.0, "id", {}, {"id_number": ID_EXACT}) for a, b in con.execute(sql).fetchall()]


def _level_weights(model: dict[str, Any]) -> dict[str, list[tuple[float, str]]]:
    """Per comparison, (match weight, label) of each level: Splink's output gives each pair's
    per-comparison match weight (mw_*), and a level is known by its weight (null levels: 0)."""
    out: dict[str, list[tuple[float, str]]] = {}
    for comparison in model["comparisons"]:
        levels = []
        for level in comparison["comparison_levels"]:
            null = level.get("is_null_level")
            weight = 0.0 if null else math.log2(level["m_probability"] / level["u_probability"])
            levels.append((weight, level["label_for_charts"]))
        out[comparison["output_column_name"]] = levels
    return out


def _label(levels: list[tuple[float, str]], weight: float) -> str:
    return min(levels, key=lambda level: abs(level[0] - weight))[1]


def _probabilistic_pairs(linker: Any, model: dict[str, Any], threshold: float, dedupe: bool) -> list[MatchPair]:
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    levels_by_weight = _level_weights(model)
    names = list(levels_by_weight)
    table = predictions.as_pyarrow_table()
    predictions.drop_table_from_database_and_remove_from_cache()
    columns = table.to_pydict()
    pairs = []
    for row in range(table.num_rows):
        left, right = columns["record_id_l"][row], columns["record_id_r"][row]
        if not dedupe and columns["source_dataset_l"][row] != "left_records":
            left, right = right, left
        weights = {name: round(float(columns[f"mw_{name}"][row]), 3) for name in names}
        levels = {name: _label(levels_by_weight[name], weights[name]) for name in names}
        pairs.append(
            MatchPair(str(left), str(right), float(columns["match_probability"][row]), "probabilistic", weights, levels)
        )
    return pairs


def link(
    left: pa.Table,
    right: pa.Table | None = None,
    *,
    review_threshold: float | None = None,
    match_threshold: float | None = None,
    model_path: Path = MODEL_FILE,
) -> list[MatchPair]:
    """Scored pairs between `left` and `right` (or within `left` when right is None: its duplicates,
    left_id < right_id by row order), every pair at or above the review threshold. Exact pairs on
    `id_number` have method "id" and probability 1; the right records without one are scored by
    Splink against the whole left list. `match_threshold` is not used to filter (it is
    `best_matches`' and the callers' decision) but is validated against the review threshold."""
    limits = thresholds()
    review = limits.review if review_threshold is None else review_threshold
    match = limits.match if match_threshold is None else match_threshold
    if not 0 < review <= match <= 1:
        raise ValueError("thresholds must satisfy 0 < review <= match <= 1")
    con = _connection()
    _register(con, "left_records", left)
    if right is None:
        pairs = _id_pairs(con, None)
        model = load_model("dedupe_only", model_path)
        model["probability_two_random_records_match"] = 1 / max(left.num_rows, 2)  # below 1: log odds finite
        linker = _linker(con, ["left_records"], model)
        id_linked = {(p.left_id, p.right_id) for p in pairs}
        for pair in _probabilistic_pairs(linker, model, review, dedupe=True):
            if (pair.left_id, pair.right_id) not in id_linked and (pair.right_id, pair.left_id) not in id_linked:
                pairs.append(pair)
        return pairs
    _register(con, "right_all", right)
    pairs = _id_pairs_link(con)
    con.execute(
        """CREATE TABLE right_records AS SELECT * FROM right_all r
           WHERE r.id_number IS NULL OR NOT EXISTS (SELECT 1 FROM left_records l WHERE l.id_number = r.id_number)"""
    )
    con.execute("DROP TABLE right_all")
    residue = con.execute("SELECT count(*) FROM right_records").fetchall()[0][0]
    if residue:
        model = load_model("link_only", model_path)
        # Each right record has at most one true partner among the left's n records (a prior of 1 would
        # make Splink's log odds infinite: one left record is an even chance).
        model["probability_two_random_records_match"] = 1 / max(left.num_rows, 2)
        linker = _linker(con, ["left_records", "right_records"], model)
        pairs.extend(_probabilistic_pairs(linker, model, review, dedupe=False))
    con.close()
    return pairs


def _id_pairs_link(con: duckdb.DuckDBPyConnection) -> list[MatchPair]:
    rows = con.execute(
        "SELECT l.record_id, r.record_id FROM left_records l JOIN right_all r ON l.id_number = r.id_number"
    ).fetchall()
    return [MatchPair(str(a), str(b), 1.0, "id", {}, {"id_number": ID_EXACT}) for a, b in rows]


def best_matches(pairs: Iterable[MatchPair]) -> list[MatchPair]:
    """Each right record's best pair (highest probability; an ID link before a scored one)."""
    best: dict[str, MatchPair] = {}
    for pair in pairs:
        current = best.get(pair.right_id)
        if current is None or (pair.method == "id", pair.probability) > (current.method == "id", current.probability):
            best[pair.right_id] = pair
    return list(best.values())


def decisions(pairs: list[MatchPair], match_threshold: float | None = None) -> list[tuple[MatchPair, str]]:
    """(pair, "match" | "review"): a right record's best pair at or above the match threshold is
    a match; every other pair (below it, or a second candidate) is for review."""
    threshold = thresholds().match if match_threshold is None else match_threshold
    chosen = {id(pair) for pair in best_matches(pairs) if pair.probability >= threshold}
    return [(pair, "match" if id(pair) in chosen else "review") for pair in pairs]


# -- training -----------------------------------------------------------------------------------


def train(left: pa.Table, right: pa.Table, out: Path = MODEL_FILE, *, max_pairs: float = 2e6) -> dict[str, Any]:
    """Estimate the model from two prepared lists and write it to `out`: u from random pairs, the
    prior from pairs sharing a valid ID number, m by expectation maximisation in two blocks (same
    birth date: trains name, sex, area, ID; same name sound: trains the birth date). Run on lists
    like the ones to be linked (the residue after the exact ID join is what it will score)."""
    from splink import block_on

    con = _connection()
    _register(con, "left_records", left)
    _register(con, "right_records", right)
    linker = _linker(con, ["left_records", "right_records"], settings("link_only"))
    linker.training.estimate_probability_two_random_records_match(
        [block_on("id_prefix", "id17"), block_on("bd", "pinyin")], recall=0.95
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("bd"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("pinyin", "birth_year"))
    model: dict[str, Any] = linker.misc.save_model_to_json(str(out), overwrite=True)
    con.close()
    _floor(model)
    model.pop("linker_uid", None)
    out.write_text(json.dumps(model, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    _model.cache_clear()
    return model


# Floors for estimated probabilities: a level never seen among random pairs (u) or among matches
# in the training data (m) would otherwise get Splink's defaults or a probability so small that
# one field would veto a link whatever the others say; real lists have errors the training data
# may lack.
M_FLOOR = 0.002
U_FLOOR = 1e-7


def _floor(model: dict[str, Any]) -> None:
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            level["m_probability"] = max(level.get("m_probability") or 0.0, M_FLOOR)
            level["u_probability"] = max(level.get("u_probability") or 0.0, U_FLOOR)
