"""Coverage per street: the share of children in the current population lists who are linked to a
current school, benefit or registry record, or verified by a task — "every child under dynamic
monitoring" as a number. Shown on the supervisor's dashboard and offered to collection as counts
(collection.prefill: indicator code, area code, numerator, denominator; nothing about a child)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

from django.db.models import Q
from pydantic import BaseModel, ConfigDict

from childfirst.areas.models import Area, district_code, street_code
from childfirst.collection.prefill import Prefill
from childfirst.datafile import DataFile
from childfirst.plans.models import Plan

from .current import POPULATION_KINDS, current_records, population_source_keys
from .models import Person, TaskState, VerificationTask

COVERAGE_FILE = Path(__file__).resolve().parent / "data" / "coverage.yaml"
SOURCE = "linkage"


@dataclass(frozen=True)
class Coverage:
    covered: int
    total: int

    @property
    def share(self) -> float | None:
        return self.covered / self.total if self.total else None

    @property
    def percent(self) -> str:
        return "—" if self.share is None else f"{self.share * 100:.1f}%"


def coverage_by_street() -> dict[str, Coverage]:
    """{street code: coverage}, and the district under its own code."""
    return _coverage(None)


def coverage_of_street(street: Area) -> Coverage | None:
    """One street's coverage, as coverage_by_street gives it, reading only that street's people (the
    supervisor's dashboard shows one street: computing every street's was most of its time)."""
    return _coverage(street).get(street.code)


def _coverage(street: Area | None) -> dict[str, Coverage]:
    # A person counts in the street of their community, else in the street the lists gave.
    people = Person.objects.all()
    records = current_records().filter(person__isnull=False)
    tasks = VerificationTask.objects.filter(state=TaskState.CONFIRMED, person__isnull=False)
    if street is not None:
        people = people.filter(Q(community__code__startswith=street.prefix) | Q(community__isnull=True, street=street))
        records = records.filter(person__in=people.values("pk"))
        tasks = tasks.filter(person__in=people.values("pk"))
    keys = population_source_keys()
    population = records.filter(Q(source__in=keys) if keys is not None else Q(proves__in=POPULATION_KINDS))
    person_ids = set(population.values_list("person_id", flat=True))
    if not person_ids:
        return {}
    covered = set(
        records.filter(Q(proves="school") | Q(proves__startswith="category:")).values_list("person_id", flat=True)
    )
    # Whole-table reads intersected here rather than IN lists of every person (tens of thousands of
    # parameters took SQLite a minute).
    covered |= set(people.filter(child__isnull=False, child__status="active").values_list("pk", flat=True))
    covered |= set(tasks.values_list("person_id", flat=True))
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for pk, community, street_code_ in people.values_list("pk", "community__code", "street__code").iterator(
        chunk_size=5000
    ):
        if pk not in person_ids:
            continue
        code = street_code(community) if community else street_code_
        if not code:
            continue
        for key in (code, district_code(code)):  # the street and its district
            totals[key][1] += 1
            totals[key][0] += pk in covered
    return {code: Coverage(c, t) for code, (c, t) in totals.items()}


# ----- the prefill ---------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CoverageFile(_Strict):
    schema_version: Literal[1]
    plans: dict[str, dict[str, Literal["value", "numerator", "denominator"]]]


def read_mapping(path: Path = COVERAGE_FILE) -> CoverageFile:
    return DataFile.read(path).validate(CoverageFile)


def prefills(plan: Plan, year: int, indicator_codes: set[str]) -> list[Prefill]:
    """The coverage counts for the indicators data/coverage.yaml maps (counts only)."""
    mapping = {code: part for code, part in read_mapping().plans.get(plan.code, {}).items() if code in indicator_codes}
    if not mapping:
        return []
    found = []
    for area, cov in sorted(coverage_by_street().items()):
        numerator, denominator = Decimal(cov.covered), Decimal(cov.total)
        for indicator, part in mapping.items():
            found.append(
                Prefill(
                    indicator=indicator,
                    area=area,
                    source=SOURCE,
                    numerator=numerator if part in ("value", "numerator") else None,
                    denominator=denominator if part in ("value", "denominator") else None,
                )
            )
    return found
