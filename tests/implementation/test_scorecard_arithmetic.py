"""The scorecard's arithmetic (implementation/scorecard.py) against cases computed by hand, and the
weights file's validation: a bad key, weights that do not add up, a word for a number — each a
precise error naming the key and its line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from childfirst.datafile import DataFileInvalid
from childfirst.implementation.scorecard import DEFAULT_FILE, Inputs, default_weights, parse_weights, score, score_all

W = default_weights()  # parts 40/20/25/15; statuses 100/90/70/40/0; splits 60/40; timeliness 100/50/0


def inputs(code: str = "health", **changes) -> Inputs:
    base = dict(
        department_code=code,
        department_name=code,
        statuses={"achieved": 5},
        data_expected=10,
        data_answered=10,
        data_timeliness="on_time",
        report_expected=4,
        report_filled=4,
        report_timeliness="on_time",
        report_state="accepted",
        recommendations_due=2,
        recommendations_on_time=2,
    )
    return Inputs(**{**base, **changes})


def parts(card) -> dict[str, Decimal | None]:
    return {p.key: p.score for p in card.parts}


def test_full_marks():
    card = score(inputs(), W)
    assert parts(card) == {k: Decimal("100.00") for k in ("indicators", "data", "report", "recommendations")}
    assert card.total == Decimal("100.00")
    assert card.total_formula == "(40×100.00 + 20×100.00 + 25×100.00 + 15×100.00) ÷ 100 = 100.00"


def test_a_late_and_incomplete_department():
    card = score(
        inputs(
            statuses={"achieved": 8, "needs_acceleration": 2, "not_achieved": 2},
            data_expected=20,
            data_answered=15,
            data_timeliness="late",
            report_expected=5,
            report_filled=3,
            report_timeliness="late",
            report_state="submitted",
            recommendations_due=0,
            recommendations_on_time=0,
        ),
        W,
    )
    # indicators: (100×8 + 70×2 + 0×2) ÷ 12 = 940 ÷ 12 = 78.333… → 78.33
    # data: completeness 15/20 = 75.00; (75×60 + 50×40) ÷ 100 = 65.00
    # report: completeness 3/5 = 60.00; (60×60 + 50×40) ÷ 100 = 56.00
    # recommendations: none due → left out; total (40×78.33 + 20×65 + 25×56) ÷ 85 = 5833.2 ÷ 85 = 68.6258… → 68.63
    assert parts(card) == {
        "indicators": Decimal("78.33"),
        "data": Decimal("65.00"),
        "report": Decimal("56.00"),
        "recommendations": None,
    }
    assert card.total == Decimal("68.63")
    indicators = card.parts[0]
    assert indicators.formula == "(100×8 + 70×2 + 0×2) ÷ 12 = 78.33"
    assert "12" in indicators.lines[0]
    assert card.parts[1].formula == "(75.00×60 + 50×40) ÷ 100 = 65.00"
    assert card.total_formula == "(40×78.33 + 20×65.00 + 25×56.00) ÷ 85 = 68.63"


def test_overdue_recommendations():
    card = score(inputs(statuses={"on_track": 4}, recommendations_due=4, recommendations_on_time=1), W)
    # indicators 90; data 100; report 100; recommendations 100 × 1 ÷ 4 = 25
    # total (40×90 + 20×100 + 25×100 + 15×25) ÷ 100 = 8475 ÷ 100 = 84.75
    assert parts(card) == {
        "indicators": Decimal("90.00"),
        "data": Decimal("100.00"),
        "report": Decimal("100.00"),
        "recommendations": Decimal("25.00"),
    }
    assert card.parts[3].formula == "100 × 1 ÷ 4 = 25.00"
    assert card.total == Decimal("84.75")


def test_no_report_and_no_data_submitted_score_nothing_for_them():
    card = score(
        inputs(
            report_state=None, report_filled=0, report_timeliness="missing", data_answered=0, data_timeliness="missing"
        ),
        W,
    )
    assert parts(card)["report"] == Decimal("0.00") and parts(card)["data"] == Decimal("0.00")
    # (40×100 + 20×0 + 25×0 + 15×100) ÷ 100 = 55
    assert card.total == Decimal("55.00")


def test_unscored_statuses_are_counted_but_not_averaged():
    card = score(inputs(statuses={"achieved": 1, "insufficient_data": 3}), W)
    assert parts(card)["indicators"] == Decimal("100.00")
    assert any("3" in line for line in card.parts[0].lines[1:])


def test_a_department_to_which_no_part_applies_has_no_total():
    card = score(inputs(statuses={}, data_expected=None, recommendations_due=0, report_expected=0), W)
    # the report part always applies (an empty report list is complete once submitted)
    assert parts(card)["report"] == Decimal("100.00") and card.total == Decimal("100.00")
    nothing = Inputs(**{**inputs().__dict__, "statuses": {}, "data_expected": None, "recommendations_due": 0})
    weights = parse_weights(
        DEFAULT_FILE.read_bytes().replace(b"report: 25", b"report: 0").replace(b"indicators: 40", b"indicators: 65"),
        "w.yaml",
    )
    assert score(nothing, weights).total is None


def test_ranking_best_first_then_code():
    cards = score_all([inputs("b", statuses={"at_risk": 1}), inputs("a"), inputs("c")], W)
    assert [c.department_code for c in cards] == ["a", "c", "b"]


# --- the weights file ----------------------------------------------------------------------------


def problems(raw: bytes) -> list[str]:
    with pytest.raises(DataFileInvalid) as caught:
        parse_weights(raw, "weights.yaml")
    return [str(p) for p in caught.value.problems]


DEFAULT = DEFAULT_FILE.read_bytes()


def test_the_default_file_is_valid():
    assert W.parts.indicators == Decimal(40) and W.timeliness_points.late == Decimal(50)


def test_an_unknown_key_is_named_with_its_line():
    raw = DEFAULT.replace(b"  recommendations: 15", b"  recomendations: 15")
    found = problems(raw)
    line = (
        DEFAULT.decode()
        .splitlines()
        .index("  recommendations: 15  # 督办落实：recommendations addressed to it, closed by their due date")
        + 1
    )
    assert f"weights.yaml:{line}:19: parts.recomendations: 未知字段（是否拼写错误？）" in found
    assert "weights.yaml:9:3: parts.recommendations: 缺少必填字段" in found  # the mapping that lacks it


def test_weights_that_do_not_add_up_to_100():
    found = problems(DEFAULT.replace(b"indicators: 40", b"indicators: 35"))
    assert len(found) == 1 and "parts" in found[0] and "95" in found[0] and "100" in found[0]
    found = problems(
        DEFAULT.replace(
            b"  completeness: 60\n  timeliness: 40\n\n# Within the report",
            b"  completeness: 70\n  timeliness: 40\n\n# Within the report",
        )
    )
    assert len(found) == 1 and found[0].split(": ")[1] == "data" and "110" in found[0]


def test_a_word_for_a_number():
    found = problems(DEFAULT.replace(b"on_track: 90", b"on_track: ninety"))
    assert len(found) == 1 and "status_points.on_track" in found[0] and "'ninety'" in found[0]


def test_out_of_range_and_english_messages(settings):
    from django.utils import translation

    with translation.override("en"):
        found = problems(DEFAULT.replace(b"late: 50", b"late: 150"))
    assert found == [found[0]] and "timeliness_points.late" in found[0] and "150" in found[0]
    with translation.override("en"):
        found = problems(DEFAULT.replace(b"indicators: 40", b"indicators: 35"))
    assert "add up to 95, not 100" in found[0]


def test_not_yaml_at_all():
    assert "YAML" in problems(b"parts: [1, 2\n")[0]
    assert "UTF-8" in problems("parts: 四十".encode("gb18030"))[0]
