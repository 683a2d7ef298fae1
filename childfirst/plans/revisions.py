"""Target revisions: a YAML file per plan listing the targets changed during the plan (mid-term
decisions), checked entirely and then loaded in one transaction (`childfirst plan revise FILE`).

The file is the plan's complete list: a revision dropped from it is removed (published snapshots
keep the target they were evaluated against, so none of them changes). Reloading the same file
changes nothing. A revision is keyed by indicator and first year.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import Field

from childfirst.datafile import DataFile, Path_, Problem, raise_if

from .loader import NUMERIC, _differs
from .models import Indicator, Plan, TargetRevision
from .schema import COMPARATORS, SLUG, Strict
from .signals import targets_revised

if TYPE_CHECKING:
    from childfirst.accounts.models import User


class RevisionSpec(Strict):
    indicator: str = Field(pattern=r"^[A-Z]{2,5}-\d{2,3}$")
    from_year: int = Field(ge=2000, le=2100, description="the first year the new target applies")
    target: Decimal | None = None
    comparator: COMPARATORS | None = Field(default=None, description="only when it changes")
    target_year: int | None = Field(default=None, ge=2000, le=2100, description="only when it changes")
    decided_on: datetime.date
    document: str = Field(min_length=1, max_length=200, description="the decision's document (文号)")
    reason: str = ""


class RevisionsFile(Strict):
    schema_version: Literal[1]
    plan: str = Field(pattern=SLUG)
    revisions: list[RevisionSpec] = []


@dataclass
class RevisionsResult:
    plan: Plan
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


def read_revisions_file(path: Path | str) -> tuple[RevisionsFile, Plan, dict[str, Indicator]]:
    """Parse, validate and check against the loaded plan; DataFileInvalid lists every problem."""
    datafile = DataFile.read(path)
    spec = datafile.validate(RevisionsFile)
    plan = Plan.objects.filter(code=spec.plan).select_related("area").first()
    if plan is None:
        raise_if([datafile.problem(("plan",), _("plan %(code)s is not loaded") % {"code": spec.plan})])
    assert plan is not None  # raise_if raised otherwise
    indicators = {i.code: i for i in plan.indicators.active()}
    raise_if(check_revisions(datafile, spec, plan, indicators))
    return spec, plan, indicators


def check_revisions(
    datafile: DataFile, spec: RevisionsFile, plan: Plan, indicators: dict[str, Indicator]
) -> list[Problem]:
    problems: list[Problem] = []

    def problem(path: Path_, message: str) -> None:
        problems.append(datafile.problem(path, message))

    repeated = {k for k, n in Counter((r.indicator, r.from_year) for r in spec.revisions).items() if n > 1}
    for index, revision in enumerate(spec.revisions):
        here: Path_ = ("revisions", index)
        if (revision.indicator, revision.from_year) in repeated:
            problem(
                here + ("from_year",),
                _("%(code)s is revised more than once from %(year)s")
                % {"code": revision.indicator, "year": revision.from_year},
            )
        if not plan.start_year < revision.from_year <= plan.end_year:
            problem(
                here + ("from_year",),
                _("%(year)s is not a year after the plan's first year (%(start)s–%(end)s)")
                % {"year": revision.from_year, "start": plan.start_year, "end": plan.end_year},
            )
        indicator = indicators.get(revision.indicator)
        if indicator is None:
            problem(
                here + ("indicator",),
                _("plan %(plan)s has no indicator %(code)s") % {"plan": plan.code, "code": revision.indicator},
            )
            continue
        _check_target(revision, indicator, plan, here, problem)
    return problems


def _check_target(revision: RevisionSpec, indicator: Indicator, plan: Plan, here: Path_, problem) -> None:
    """The same rules the plan loader applies to a target."""
    comparator = revision.comparator or indicator.comparator
    if comparator in NUMERIC and revision.target is None:
        problem(here + ("target",), _("comparator %(comparator)s needs a target value") % {"comparator": comparator})
    if comparator not in NUMERIC and revision.target is not None:
        problem(here + ("target",), _("comparator %(comparator)s takes no target value") % {"comparator": comparator})
    if comparator == "annual_decrease" and (indicator.unit != "%" or indicator.baseline_year is None):
        problem(
            here + ("comparator",),
            _("a yearly decrease needs a percentage indicator with a baseline year"),
        )
    if revision.target is not None and revision.target < 0:
        problem(here + ("target",), _("a target cannot be negative"))
    if indicator.unit == "%" and revision.target is not None and revision.target > 100:
        problem(here + ("target",), _("a percentage target cannot exceed 100"))
    if revision.target_year is not None and not plan.start_year <= revision.target_year <= plan.end_year + 10:
        problem(
            here + ("target_year",),
            _("target year %(year)s is outside the plan period") % {"year": revision.target_year},
        )
    if revision.decided_on > timezone.localdate():
        problem(here + ("decided_on",), _("the decision date is in the future"))


def load_revisions(path: Path | str, *, actor: User | None = None, dry_run: bool = False) -> RevisionsResult:
    """Validate the file and, only if it is entirely valid, load it (with dry_run: only say what
    would change)."""
    path = Path(path)
    spec, plan, indicators = read_revisions_file(path)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    with transaction.atomic():
        result = _save(spec, plan, indicators, sha256, actor)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _save(
    spec: RevisionsFile, plan: Plan, indicators: dict[str, Indicator], sha256: str, actor: User | None
) -> RevisionsResult:
    now = timezone.now()
    result = RevisionsResult(plan)
    existing = {(r.indicator.code, r.from_year): r for r in TargetRevision.objects.of_plan(plan)}
    for item in spec.revisions:
        key = (item.indicator, item.from_year)
        label = f"{item.indicator}@{item.from_year}"
        fields = {
            "comparator": item.comparator or "",
            "target": item.target,
            "target_year": item.target_year,
            "decided_on": item.decided_on,
            "document": item.document,
            "reason": item.reason,
        }
        current = existing.pop(key, None)
        if current is None:
            TargetRevision.objects.create(
                indicator=indicators[item.indicator], from_year=item.from_year, loaded_at=now, **fields
            )
            result.created.append(label)
            continue
        changed = [name for name, value in fields.items() if _differs(getattr(current, name), value)]
        if not changed:
            result.unchanged += 1
            continue
        for name in changed:
            setattr(current, name, fields[name])
        current.loaded_at = now
        current.save(update_fields=[*changed, "loaded_at"])
        result.updated.append(label)
    for (code, year), stale in existing.items():
        stale.delete()
        result.removed.append(f"{code}@{year}")
    if result.changed:
        # The audit row is written by accounts' receiver, inside this transaction.
        targets_revised.send(
            sender=TargetRevision,
            plan=plan,
            actor=actor,
            area_code=plan.area.code,
            detail={"sha256": sha256, "created": result.created, "updated": result.updated, "removed": result.removed},
        )
    return result
