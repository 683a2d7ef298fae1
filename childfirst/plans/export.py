"""The catalogue as plain data (for `childfirst plan show --json` and, later, the API)."""

from __future__ import annotations

from typing import Any

from .models import Indicator, Plan


def indicator_record(indicator: Indicator) -> dict[str, Any]:
    responsibilities = list(indicator.responsibilities.all())
    return {
        "code": indicator.code,
        "name": indicator.name,
        "name_en": indicator.name_en,
        "domain": indicator.domain.code,
        "domain_name": indicator.domain.name,
        "unit": indicator.unit,
        "comparator": indicator.comparator,
        "target": float(indicator.target) if indicator.target is not None else None,
        "target_year": indicator.target_year,
        "baseline_year": indicator.baseline_year,
        "baseline_value": float(indicator.baseline_value) if indicator.baseline_value is not None else None,
        "direction": indicator.direction,
        "period": indicator.period,
        "per_street": indicator.per_street,
        "numerator": indicator.numerator or None,
        "denominator": indicator.denominator or None,
        "departments": [r.department.name for r in responsibilities],
        "responsibilities": [
            {"code": r.department.code, "name": r.department.name, "inferred": r.inferred} for r in responsibilities
        ],
        "key_project": indicator.key_project.code if indicator.key_project else None,
        "source": {"part": indicator.source_part, "number": indicator.source_number},
        "source_text": indicator.source_text,
        "note": indicator.note or None,
        "retired": indicator.retired_at is not None,
    }


def catalogue_records(plan: Plan, *, include_retired: bool = False) -> list[dict[str, Any]]:
    indicators = plan.indicators.catalogue()
    if not include_retired:
        indicators = indicators.active()
    return [indicator_record(i) for i in indicators]
