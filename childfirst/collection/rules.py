"""Validation rules as data: loaded from YAML into the ValidationRule table and read from there."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict

from childfirst.datafile import DataFile

from .entries import Rules

RULES_FILE = Path(__file__).resolve().parent / "data" / "validation_rules.yaml"

DESCRIPTIONS = {
    "not_a_number": _(
        "The entry is not a number (after allowing full-width digits, spaces, separators, percent and per-mille signs)."
    ),
    "negative": _("A count, numerator, denominator or rate is negative."),
    "rate_needs_parts": _("A rate needs both numerator and denominator; per-street rates always need them."),
    "zero_denominator": _("The denominator is zero."),
    "numerator_above_denominator": _("For a percentage or per-mille rate the numerator exceeds the denominator."),
    "value_inconsistent": _("A typed value disagrees with its numerator and denominator."),
    "not_a_rate": _("Numerator or denominator given for an indicator that is a single value."),
    "percent_above_100": _("A percentage above 100."),
    "wrong_unit": _("A percent or per-mille sign that does not fit the indicator's unit."),
    "value_and_missing": _("Both a value and a reason why it is missing."),
    "required_missing": _("At submission: an expected value is neither entered nor marked missing with a reason."),
    "yoy_change": _("The change from last year is unusual against the indicator's own history of yearly changes."),
    "street_outlier": _("A street's value is far from the other streets' for the same indicator and year."),
}

# The rules page names each rule and parameter in words (a code such as min_history means nothing to
# the office); a code missing here is shown as it is.
NAMES = {
    "not_a_number": _("Not a number"),
    "negative": _("Negative value"),
    "rate_needs_parts": _("Rate without numerator and denominator"),
    "zero_denominator": _("Zero denominator"),
    "numerator_above_denominator": _("Numerator above denominator"),
    "value_inconsistent": _("Value disagrees with its parts"),
    "not_a_rate": _("Parts given for a single value"),
    "percent_above_100": _("Percentage above 100"),
    "wrong_unit": _("Wrong unit sign"),
    "value_and_missing": _("Value and missing reason both given"),
    "required_missing": _("Expected value missing"),
    "yoy_change": _("Unusual change from last year"),
    "street_outlier": _("Street far from the others"),
}
PARAM_NAMES = {
    "k": _("Tolerance k (how many robust standard deviations a value may stray)"),
    "min_history": _("Past yearly changes needed before the indicator's own history is used"),
    "floor": _("Smallest change ever flagged"),
    "default_threshold": _("Threshold while the history is short"),
    "min_streets": _("Fewest streets for a comparison"),
}
# Keys inside a parameter: the units, and "relative" (a share of last year's value).
PARAM_KEYS = {
    "%": _("percentages (points)"),
    "‰": _("per-mille rates (points)"),
    "relative": _("other units (share of last year's value)"),
}


def describe_params(params: dict) -> list[tuple[str, str]]:
    """A rule's parameters as (name, value) in words, in the file's order, for the rules page."""
    rows = []
    for key, value in params.items():
        if isinstance(value, dict):
            text = "；".join(f"{PARAM_KEYS.get(k, k)} {v}" for k, v in value.items())
        else:
            text = str(value)
        rows.append((str(PARAM_NAMES.get(key, key)), text))
    return rows


class RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    severity: Literal["error", "warning"]
    enabled: bool = True
    params: dict = {}


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    schema_version: Literal[1]
    rules: list[RuleSpec]


@transaction.atomic
def load_rules(path: Path | str = RULES_FILE, model=None) -> int:
    """Replace the rules with the file's; DataFileInvalid if the file is wrong."""
    from .models import ValidationRule

    model = model or ValidationRule
    spec = DataFile.read(path).validate(RuleFile)
    for order, rule in enumerate(spec.rules):
        model.objects.update_or_create(
            code=rule.code,
            defaults={"severity": rule.severity, "enabled": rule.enabled, "params": rule.params, "order": order},
        )
    model.objects.exclude(code__in=[r.code for r in spec.rules]).delete()
    return len(spec.rules)


def current_rules() -> Rules:
    from .models import ValidationRule

    return Rules({r.code: r.params for r in ValidationRule.objects.filter(enabled=True)})
