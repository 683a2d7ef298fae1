"""`childfirst evaluate-series`: one series as JSON on stdin, the engine's result as JSON on stdout.

The same engine as the dashboards and reports, so that anyone can check a figure by hand or try a
what-if without a database.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any, Literal, overload

from django.core.management.base import BaseCommand, CommandError, CommandParser, DjangoHelpFormatter
from django.utils.translation import gettext as _

from childfirst.evaluation.engine import COMPARATORS, NUMERIC, Spec, evaluate

EXAMPLE = (
    '{"comparator": ">=", "target": 90, "target_year": 2025, "baseline": {"year": 2018, "value": 50.0},\n'
    ' "series": {"2021": 85.0, "2022": 87.0}, "year": 2022}'
)
FIELDS = {"comparator", "target", "target_year", "baseline", "series", "year"}
OPTIONAL_LISTS = {"history_changes", "expected_years", "late_years"}


class HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Keeps the example below as written."""


class SeriesInputError(Exception):
    def __init__(self, field: str, problem: str) -> None:
        super().__init__(_("%(field)s: %(problem)s") % {"field": field, "problem": problem})


class Command(BaseCommand):
    help = (
        "Evaluate one series read as JSON from standard input and print the result as JSON. Input: "
        "comparator (>=, <=, <, >, annual_decrease, yoy_increase, up, down), target (a number; for "
        "annual_decrease the points to fall each year), target_year, baseline {year, value} (optional), "
        "series {year: value}, year (the evaluation year; default the latest year in the series); "
        "optional history_changes [numbers], expected_years [years], late_years [years]."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs.setdefault("epilog", "example:\n  echo '" + EXAMPLE + "' \\\n  | childfirst evaluate-series")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def handle(self, *args: Any, **options: Any) -> None:
        text = sys.stdin.read()
        if not text.strip():
            raise CommandError(_("No input: send the series as JSON on standard input."))
        try:
            document = json.loads(text, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            raise CommandError(
                _("The input is not valid JSON (line %(line)d, column %(column)d).")
                % {"line": exc.lineno, "column": exc.colno}
            ) from None
        except ValueError:
            raise CommandError(_("The input is not valid JSON (NaN and Infinity are not numbers).")) from None
        try:
            spec, series, year, extras = parse(document)
        except SeriesInputError as exc:
            raise CommandError(str(exc)) from None
        result = evaluate(spec, series, year, **extras)
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))


def _reject_constant(name: str) -> None:
    raise ValueError(name)


def parse(document: Any) -> tuple[Spec, dict[int, float], int, dict[str, Any]]:
    """The engine's arguments from the JSON input; SeriesInputError names the first bad field."""
    if not isinstance(document, dict):
        raise SeriesInputError(_("input"), _("must be an object"))
    for key in document:
        if key not in FIELDS | OPTIONAL_LISTS:
            raise SeriesInputError(str(key), _("unknown field"))
    comparator = document.get("comparator")
    if comparator is None:
        raise SeriesInputError("comparator", _("this field is required"))
    if comparator not in COMPARATORS:
        raise SeriesInputError("comparator", _("must be one of %(choices)s") % {"choices": ", ".join(COMPARATORS)})
    target = _number("target", document.get("target"), required=comparator in NUMERIC)
    if comparator not in NUMERIC:
        target = None
    target_year = _year("target_year", document.get("target_year"), required=True)
    baseline_year = baseline_value = None
    if document.get("baseline") is not None:
        baseline = document["baseline"]
        if not isinstance(baseline, dict):
            raise SeriesInputError("baseline", _("must be an object"))
        for key in baseline:
            if key not in ("year", "value"):
                raise SeriesInputError(f"baseline.{key}", _("unknown field"))
        baseline_year = _year("baseline.year", baseline.get("year"), required=True)
        baseline_value = _number("baseline.value", baseline.get("value"), required=False)
    raw_series = document.get("series")
    if raw_series is None:
        raise SeriesInputError("series", _("this field is required"))
    if not isinstance(raw_series, dict):
        raise SeriesInputError("series", _("must be an object"))
    series: dict[int, float] = {}
    for key, value in raw_series.items():
        field = f"series.{key}"
        if not (key.strip().isdigit() and 1900 <= int(key) <= 2200):
            raise SeriesInputError(field, _("must be a year such as 2021"))
        number = _number(field, value, required=False)
        if number is not None:  # null: no value that year
            series[int(key)] = number
    year = _year("year", document.get("year"), required=False)
    if year is None:
        year = max(series, default=target_year)
    extras: dict[str, Any] = {}
    for name in sorted(OPTIONAL_LISTS & document.keys()):
        items = document[name]
        if not isinstance(items, list):
            raise SeriesInputError(name, _("must be a list"))
        if name == "history_changes":
            extras[name] = [_number(f"{name}[{i}]", v, required=True) for i, v in enumerate(items)]
        else:
            extras[name] = [_year(f"{name}[{i}]", v, required=True) for i, v in enumerate(items)]
    return Spec(comparator, target, target_year, baseline_year, baseline_value), series, year, extras


def _number(field: str, value: Any, *, required: bool) -> float | None:
    if value is None:
        if required:
            raise SeriesInputError(field, _("this field is required"))
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SeriesInputError(field, _("must be a number"))
    return float(value)


@overload
def _year(field: str, value: Any, *, required: Literal[True]) -> int: ...
@overload
def _year(field: str, value: Any, *, required: bool) -> int | None: ...
def _year(field: str, value: Any, *, required: bool) -> int | None:
    if value is None:
        if required:
            raise SeriesInputError(field, _("this field is required"))
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise SeriesInputError(field, _("must be a year such as 2021"))
    if not 1900 <= value <= 2200:
        raise SeriesInputError(field, _("must be a year such as 2021"))
    return value
