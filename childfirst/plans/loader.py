"""Loading a plan file: check everything first, then write it in one transaction.

Reloading updates in place by code and never duplicates. An indicator (or key project)
dropped from the file is retired, keeping its data; one that comes back is reinstated.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.areas.models import Area, Level
from childfirst.datafile import DataFile, DataFileInvalid, Path_, Problem, raise_if

from .models import (
    RATE_UNITS,
    Department,
    Domain,
    Goal,
    Indicator,
    KeyProject,
    Measure,
    Milestone,
    Plan,
    Responsibility,
    Unit,
)
from .schema import DomainSpec, IndicatorSpec, KeyProjectSpec, PlanFile, PlanInfo
from .signals import plan_loaded

if TYPE_CHECKING:
    from childfirst.accounts.models import User

NUMERIC = {">=", "<=", "<", ">", "annual_decrease"}


def normalise_text(text: str) -> str:
    """For comparing quotes with the plan: drop all white space (the plan wraps lines freely)."""
    return re.sub(r"\s+", "", text)


@dataclass
class PlanLoadResult:
    plan: Plan
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: list[str] = field(default_factory=list)
    reinstated: list[str] = field(default_factory=list)


def read_plan_file(path: Path | str) -> tuple[DataFile, PlanFile, str | None]:
    """Parse and validate; returns the file, its model and the plan's source text (if any)."""
    path = Path(path)
    datafile = DataFile.read(path)
    spec = datafile.validate(PlanFile)
    source_text = None
    if spec.plan.source_document:
        source_path = path.parent / spec.plan.source_document
        try:
            source_text = source_path.read_text(encoding="utf-8-sig")
        except OSError:
            raise DataFileInvalid(
                [
                    datafile.problem(
                        ("plan", "source_document"),
                        _("the plan's text %(file)s cannot be read; it must sit next to the plan file")
                        % {"file": spec.plan.source_document},
                    )
                ]
            ) from None
    raise_if(check_plan_file(datafile, spec, source_text))
    return datafile, spec, source_text


def _duplicates(values: list[object]) -> set[object]:
    return {value for value, count in Counter(values).items() if count > 1}


def check_plan_file(datafile: DataFile, spec: PlanFile, source_text: str | None) -> list[Problem]:
    """Every rule that spans more than one field, each problem with its place in the file."""
    problems: list[Problem] = []

    def problem(path: Path_, message: str) -> None:
        problems.append(datafile.problem(path, message))

    def unique(items: Sequence[object], path: Path_, key: str) -> None:
        repeated = _duplicates([getattr(item, key) for item in items])
        for index, item in enumerate(items):
            if getattr(item, key) in repeated:
                problem(path + (index, key), _("%(value)s appears more than once") % {"value": getattr(item, key)})

    plan = spec.plan
    if plan.start_year > plan.end_year:
        problem(("plan", "end_year"), _("the last year comes before the first year"))
    if not Area.objects.filter(code=plan.area).exists():
        problem(
            ("plan", "area"),
            _("area %(code)s is not loaded; load the area tree first (childfirst areas load FILE)")
            % {"code": plan.area},
        )
    earlier: dict[str, dict[str, Indicator]] = {}
    if plan.succeeds is not None:
        predecessor = Plan.objects.filter(code=plan.succeeds).first()
        if predecessor is None or plan.succeeds == plan.code:
            problem(("plan", "succeeds"), _("plan %(code)s is not loaded") % {"code": plan.succeeds})
        elif predecessor.area.code != plan.area:
            problem(("plan", "succeeds"), _("plan %(code)s is for another area") % {"code": plan.succeeds})
        elif predecessor.start_year >= plan.start_year:
            problem(("plan", "succeeds"), _("plan %(code)s does not start earlier") % {"code": plan.succeeds})
    area = Area.objects.filter(code=plan.area).first()
    for i_index, indicator in enumerate(spec.indicators):
        if indicator.continues:
            _check_continues(indicator, ("indicators", i_index), plan, earlier, problem)
        if indicator.from_districts:
            _check_from_districts(indicator, ("indicators", i_index, "from_districts"), area, problem)
    unique(spec.departments, ("departments",), "code")
    unique(spec.domains, ("domains",), "code")
    unique(spec.domains, ("domains",), "number")
    unique(spec.key_projects, ("key_projects",), "code")
    unique(spec.key_projects, ("key_projects",), "number")
    unique(spec.indicators, ("indicators",), "code")

    departments = {d.code for d in spec.departments}
    domains = {d.code: d for d in spec.domains}
    key_projects = {k.code: k for k in spec.key_projects}
    indicator_codes = {i.code for i in spec.indicators}
    plain_source = normalise_text(source_text) if source_text is not None else None

    def quoted(path: Path_, text: str) -> None:
        if plain_source is not None and normalise_text(text) not in plain_source:
            problem(
                path,
                _("this text is not found word for word in the plan's text %(file)s") % {"file": plan.source_document},
            )

    for d_index, domain in enumerate(spec.domains):
        unique(domain.goals, ("domains", d_index, "goals"), "number")
        unique(domain.measures, ("domains", d_index, "measures"), "number")
        for g_index, goal in enumerate(domain.goals):
            quoted(("domains", d_index, "goals", g_index, "text"), goal.text)
        for m_index, measure in enumerate(domain.measures):
            quoted(("domains", d_index, "measures", m_index, "text"), measure.text)

    for k_index, project in enumerate(spec.key_projects):
        here = ("key_projects", k_index)
        if project.domain not in domains:
            problem(here + ("domain",), _("unknown domain %(code)s") % {"code": project.domain})
        for p_index, code in enumerate(project.departments):
            if code not in departments:
                problem(here + ("departments", p_index), _("unknown department %(code)s") % {"code": code})
        quoted(here + ("text",), project.text)
        for m_index, milestone in enumerate(project.milestones):
            if milestone.indicator and milestone.indicator not in indicator_codes:
                problem(
                    here + ("milestones", m_index, "indicator"),
                    _("unknown indicator %(code)s") % {"code": milestone.indicator},
                )
            quoted(here + ("milestones", m_index, "text"), milestone.text)

    for i_index, indicator in enumerate(spec.indicators):
        _check_indicator(indicator, ("indicators", i_index), spec, domains, key_projects, departments, problem)
        quoted(("indicators", i_index, "source_text"), indicator.source_text)
        for a_index, text in enumerate(indicator.also_in):
            quoted(("indicators", i_index, "also_in", a_index), text)

    for n_index, item in enumerate(spec.non_indicator_numbers):
        quoted(("non_indicator_numbers", n_index, "text"), item.text)
    return problems


def _check_from_districts(
    indicator: IndicatorSpec, here: Path_, area: Area | None, problem: Callable[[Path_, str], None]
) -> None:
    """A sum over districts is a city's, of a count or a rate, and the city reports nothing itself."""
    if area is not None and area.level != Level.CITY:
        problem(here, _("only a city's plan sums its districts' values; %(code)s is not a city") % {"code": area.code})
    if indicator.unit not in {*RATE_UNITS, Unit.COUNT}:
        problem(here, _("only a count or a rate can be summed over districts"))
    if indicator.per_street:
        problem(here, _("a value summed over districts is not reported per street"))


def _check_continues(
    indicator: IndicatorSpec,
    here: Path_,
    plan: PlanInfo,
    earlier: dict[str, dict[str, Indicator]],
    problem: Callable[[Path_, str], None],
) -> None:
    """`continues: plan/CODE` names a loaded, earlier plan of the same area and an indicator in it
    with the same unit: otherwise the two could not make one series."""
    assert indicator.continues is not None
    plan_code, code = indicator.continues.split("/")
    where = here + ("continues",)
    if plan_code == plan.code:
        problem(where, _("an indicator continues one of an earlier plan, not of its own"))
        return
    if plan_code not in earlier:
        other = Plan.objects.filter(code=plan_code).select_related("area").first()
        if other is None:
            problem(where, _("plan %(code)s is not loaded; load the earlier plan first") % {"code": plan_code})
            return
        if other.area.code != plan.area or other.start_year >= plan.start_year:
            problem(where, _("plan %(code)s is not an earlier plan of the same area") % {"code": plan_code})
            return
        earlier[plan_code] = {i.code: i for i in other.indicators.all()}
    previous = earlier[plan_code].get(code)
    if previous is None:
        problem(where, _("plan %(plan)s has no indicator %(code)s") % {"plan": plan_code, "code": code})
    elif previous.unit != indicator.unit:
        problem(
            where,
            _("%(code)s is measured in %(unit)s there; a series cannot change its unit")
            % {"code": indicator.continues, "unit": previous.unit},
        )


def _check_indicator(
    indicator: IndicatorSpec,
    here: Path_,
    spec: PlanFile,
    domains: dict[str, DomainSpec],
    key_projects: dict[str, KeyProjectSpec],
    departments: set[str],
    problem: Callable[[Path_, str], None],
) -> None:
    domain = domains.get(indicator.domain)
    if domain is None:
        problem(here + ("domain",), _("unknown domain %(code)s") % {"code": indicator.domain})
    if indicator.comparator in NUMERIC and indicator.target is None:
        problem(
            here + ("target",),
            _("comparator %(comparator)s needs a target value") % {"comparator": indicator.comparator},
        )
    if indicator.comparator not in NUMERIC and indicator.target is not None:
        problem(
            here + ("target",),
            _("comparator %(comparator)s takes no target value") % {"comparator": indicator.comparator},
        )
    if indicator.comparator == "annual_decrease":
        if indicator.unit != "%":
            problem(here + ("unit",), _("a yearly decrease in percentage points applies to a percentage (unit %)"))
        if indicator.baseline is None:
            problem(here + ("baseline",), _("a yearly decrease needs the baseline year it counts from"))
    if indicator.target is not None and indicator.target < 0:
        problem(here + ("target",), _("a target cannot be negative"))
    if indicator.unit == "%" and indicator.target is not None and indicator.target > 100:
        problem(here + ("target",), _("a percentage target cannot exceed 100"))
    if indicator.unit in RATE_UNITS:
        for key in ("numerator", "denominator"):
            if not getattr(indicator, key):
                problem(here + (key,), _("a rate needs its %(part)s defined") % {"part": key})
    if not spec.plan.start_year <= indicator.target_year <= spec.plan.end_year + 10:
        problem(
            here + ("target_year",),
            _("target year %(year)s is outside the plan period") % {"year": indicator.target_year},
        )
    for d_index, ref in enumerate(indicator.departments):
        if ref.code not in departments:
            problem(here + ("departments", d_index, "code"), _("unknown department %(code)s") % {"code": ref.code})
    if indicator.key_project and indicator.key_project not in key_projects:
        problem(here + ("key_project",), _("unknown key project %(code)s") % {"code": indicator.key_project})
    if domain is not None:
        measure_numbers = {m.number for m in domain.measures}
        for m_index, number in enumerate(indicator.measures):
            if number not in measure_numbers:
                problem(
                    here + ("measures", m_index),
                    _("domain %(domain)s has no measure %(number)s") % {"domain": domain.code, "number": number},
                )
        source = indicator.source
        if source.part == "goal" and source.number not in {g.number for g in domain.goals}:
            problem(
                here + ("source", "number"),
                _("domain %(domain)s has no goal %(number)s") % {"domain": domain.code, "number": source.number},
            )
        if source.part == "measure" and source.number not in measure_numbers:
            problem(
                here + ("source", "number"),
                _("domain %(domain)s has no measure %(number)s") % {"domain": domain.code, "number": source.number},
            )
    if indicator.source.part == "key_project" and indicator.source.number not in {k.number for k in spec.key_projects}:
        problem(
            here + ("source", "number"),
            _("there is no key project %(number)s") % {"number": indicator.source.number},
        )


def load_plan(path: Path | str, *, actor: User | None = None) -> PlanLoadResult:
    """Validate the file and, only if it is entirely valid, load it."""
    path = Path(path)
    _datafile, spec, _source = read_plan_file(path)
    return _save(spec, hashlib.sha256(path.read_bytes()).hexdigest(), actor)


@transaction.atomic
def _save(spec: PlanFile, sha256: str, actor: User | None) -> PlanLoadResult:
    now = timezone.now()
    area = Area.objects.get(code=spec.plan.area)
    info = spec.plan
    plan, _created = Plan.objects.update_or_create(
        code=info.code,
        defaults={
            "name": info.name,
            "name_en": info.name_en,
            "area": area,
            "start_year": info.start_year,
            "end_year": info.end_year,
            "version": info.version,
            "source_document": info.source_document,
            "file_sha256": sha256,
            "loaded_at": now,
            "status": info.status,
            "is_synthetic": info.synthetic,
            "succeeds": Plan.objects.get(code=info.succeeds) if info.succeeds else None,
        },
    )
    departments = {
        d.code: Department.objects.update_or_create(
            area=area, code=d.code, defaults={"name": d.name, "name_en": d.name_en}
        )[0]
        for d in spec.departments
    }
    domains: dict[str, Domain] = {}
    measures: dict[tuple[str, int], Measure] = {}
    for d in spec.domains:
        domain, _ = Domain.objects.update_or_create(
            plan=plan,
            code=d.code,
            defaults={"number": d.number, "name": d.name, "name_en": d.name_en, "section": d.section},
        )
        domains[d.code] = domain
        for g in d.goals:
            Goal.objects.update_or_create(domain=domain, number=g.number, defaults={"text": g.text})
        domain.goals.exclude(number__in=[g.number for g in d.goals]).delete()
        for m in d.measures:
            measures[(d.code, m.number)] = Measure.objects.update_or_create(
                domain=domain, number=m.number, defaults={"title": m.title, "text": m.text}
            )[0]
        domain.measures.exclude(number__in=[m.number for m in d.measures]).delete()

    key_projects: dict[str, KeyProject] = {}
    for k in spec.key_projects:
        project, _ = KeyProject.objects.update_or_create(
            plan=plan,
            code=k.code,
            defaults={
                "number": k.number,
                "name": k.name,
                "name_en": k.name_en,
                "domain": domains[k.domain],
                "text": k.text,
                "retired_at": None,
            },
        )
        project.departments.set([departments[c] for c in k.departments])
        key_projects[k.code] = project

    plan.key_projects.filter(retired_at__isnull=True).exclude(code__in=key_projects).update(retired_at=now)

    result = PlanLoadResult(plan=plan)
    indicators: dict[str, Indicator] = {}
    for order, spec_indicator in enumerate(spec.indicators, start=1):
        indicators[spec_indicator.code] = _save_indicator(
            plan, order, spec_indicator, domains, key_projects, departments, measures, result
        )
    for stale in plan.indicators.filter(retired_at__isnull=True).exclude(code__in=indicators):
        stale.retired_at = now
        stale.save(update_fields=["retired_at"])
        result.retired.append(stale.code)

    for k in spec.key_projects:
        project = key_projects[k.code]
        project.milestones.all().delete()
        Milestone.objects.bulk_create(
            Milestone(
                key_project=project,
                order=order,
                year=m.year,
                text=m.text,
                indicator=indicators.get(m.indicator) if m.indicator else None,
            )
            for order, m in enumerate(k.milestones, start=1)
        )

    # The audit row is written by accounts' receiver, inside this transaction.
    plan_loaded.send(
        sender=Plan,
        plan=plan,
        actor=actor,
        area_code=area.code,
        detail={
            "sha256": sha256,
            "version": info.version,
            "indicators_created": result.created,
            "indicators_updated": result.updated,
            "indicators_retired": result.retired,
            "indicators_reinstated": result.reinstated,
        },
    )
    return result


def _save_indicator(
    plan: Plan,
    order: int,
    spec: IndicatorSpec,
    domains: dict[str, Domain],
    key_projects: dict[str, KeyProject],
    departments: dict[str, Department],
    measures: dict[tuple[str, int], Measure],
    result: PlanLoadResult,
) -> Indicator:
    fields = {
        "domain": domains[spec.domain],
        "order": order,
        "name": spec.name,
        "name_en": spec.name_en,
        "unit": spec.unit,
        "comparator": spec.comparator,
        "target": spec.target,
        "target_year": spec.target_year,
        "baseline_year": spec.baseline.year if spec.baseline else None,
        "baseline_value": spec.baseline.value if spec.baseline else None,
        "period": spec.period,
        "per_street": spec.per_street,
        "numerator": spec.numerator or "",
        "denominator": spec.denominator or "",
        "source_part": spec.source.part,
        "source_number": spec.source.number,
        "source_text": spec.source_text,
        "also_in": spec.also_in,
        "note": spec.note,
        "continues": _continued(spec.continues),
        "continues_note": spec.continues_note,
        "from_districts": spec.from_districts or "",
        "key_project": key_projects.get(spec.key_project) if spec.key_project else None,
        "retired_at": None,
    }
    wanted_departments = [(ref.code, ref.inferred) for ref in spec.departments]
    wanted_measures = sorted(measures[(spec.domain, n)].pk for n in spec.measures)
    indicator = Indicator.objects.filter(plan=plan, code=spec.code).first()
    if indicator is None:
        indicator = Indicator.objects.create(plan=plan, code=spec.code, **fields)
        result.created += 1
    else:
        if indicator.retired_at is not None:
            result.reinstated.append(spec.code)
        current_departments = [(r.department.code, r.inferred) for r in indicator.responsibilities.all()]
        current_measures = sorted(indicator.measures.values_list("pk", flat=True))
        changed = [k for k, v in fields.items() if _differs(getattr(indicator, k), v)]
        if changed or current_departments != wanted_departments or current_measures != wanted_measures:
            result.updated += 1
        else:
            result.unchanged += 1
        for key in changed:
            setattr(indicator, key, fields[key])
        if changed:
            indicator.save(update_fields=changed)
    indicator.responsibilities.all().delete()
    Responsibility.objects.bulk_create(
        Responsibility(indicator=indicator, department=departments[code], order=n, inferred=inferred)
        for n, (code, inferred) in enumerate(wanted_departments)
    )
    indicator.measures.set(wanted_measures)
    return indicator


def _continued(reference: str | None) -> Indicator | None:
    if reference is None:
        return None
    plan_code, code = reference.split("/")
    return Indicator.objects.get(plan__code=plan_code, code=code)


def _differs(current: object, wanted: object) -> bool:
    if current is None or wanted is None:
        return current is not wanted
    if isinstance(current, Decimal) or isinstance(wanted, Decimal):
        return Decimal(str(current)) != Decimal(str(wanted))
    return current != wanted
