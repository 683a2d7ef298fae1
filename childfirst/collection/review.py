"""What stands between a submission and its submission: missing values and unexplained warnings.

Shared by the entry page (to show them) and `do_submit` (to refuse while any remain).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from .entries import Entry, Finding, Rules
from .models import DataValue, Submission
from .rules import current_rules
from .scope import Expected, expected_for
from .warnings import street_outlier_warnings, yoy_warnings


@dataclass
class Review:
    missing: list[Finding]
    warnings: list[Finding]
    explained: set[tuple[str, str]]  # warned cells that carry a comment

    @property
    def blocking(self) -> list[Finding]:
        unexplained = [w for w in self.warnings if (w.indicator, w.area) not in self.explained]
        return self.missing + unexplained


def entry_of(value: DataValue) -> Entry:
    return Entry(
        indicator=value.indicator.code,
        area=value.area.code,
        value=value.value,
        numerator=value.numerator,
        denominator=value.denominator,
        missing_reason=value.missing_reason,
        comment=value.comment,
        source_note=value.source_note,
    )


def history_for(submission: Submission, expected: Expected) -> tuple[dict, dict]:
    """Last year's values and each indicator's past consecutive-year pairs, in two queries' worth."""
    plan, year = submission.round.plan, submission.round.year
    past = (
        DataValue.objects.filter(
            round__plan=plan, round__year__lt=year, indicator__in=expected.indicators, value__isnull=False
        )
        .values_list("indicator__code", "area__code", "round__year", "value")
        .order_by("indicator__code", "area__code", "round__year")
    )
    series: dict[tuple[str, str], dict[int, Decimal]] = defaultdict(dict)
    for indicator, area, value_year, value in past:
        assert value is not None  # value__isnull=False above
        series[(indicator, area)][value_year] = value
    last_year = {key: years[year - 1] for key, years in series.items() if year - 1 in years}
    pairs: dict[str, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for (indicator, _area), years in series.items():
        for y, value in years.items():
            if y + 1 in years:
                pairs[indicator].append((value, years[y + 1]))
    return last_year, pairs


def review_submission(
    submission: Submission,
    rules: Rules | None = None,
    *,
    expected: Expected | None = None,
    history: tuple[dict, dict] | None = None,
) -> Review:
    """What blocks submitting and what to explain. `expected` and `history` (history_for's answer):
    the caller's own, when it has read them for the same submission already (the entry page)."""
    rules = rules or current_rules()
    if expected is None:
        expected = expected_for(submission.round.plan, submission.round.year, submission.department)
    values = {(v.indicator.code, v.area.code): v for v in submission.values.select_related("indicator", "area")}
    missing = []
    if rules.on("required_missing"):
        for indicator, area in expected.cells():
            if expected.carried_for(indicator, area):
                continue  # already reported in an earlier plan: present
            value = values.get((indicator.code, area.code))
            if value is None or (value.value is None and not value.missing_reason):
                missing.append(
                    Finding(
                        "error",
                        "required_missing",
                        indicator.code,
                        area.code,
                        f"{indicator.code} {indicator.name} · {area.name}",
                        _("no value, and no reason why it is missing"),
                    )
                )
    entries = [entry_of(v) for v in values.values()]
    infos = expected.infos()
    entries = [e for e in entries if e.indicator in infos]
    where = {(e.indicator, e.area): f"{e.indicator} · {values[(e.indicator, e.area)].area.name}" for e in entries}
    last_year, pairs = history if history is not None else history_for(submission, expected)
    warnings = yoy_warnings(entries, infos, last_year, pairs, rules, where)
    warnings += street_outlier_warnings(entries, infos, {a.code for a in expected.streets}, rules, where)
    explained = {(e.indicator, e.area) for e in entries if e.comment}
    return Review(missing=missing, warnings=warnings, explained=explained)
