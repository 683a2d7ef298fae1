"""Proactive discovery: the rules of data/discovery.yaml applied to the person index and the registry,
raising verification tasks for the director of the child's community.

A rule names the kinds of list it reads, its conditions (a small fixed vocabulary, `When` below), what
confirming it does (open the file / add the category, or close the file) and its deadline. `do_discover`
evaluates every rule for every child in a current list and every active registry file, opens a task for
each new finding, keeps an open task for a finding that still holds (one open task per rule and child,
also a database constraint), and withdraws open tasks whose finding no longer holds. A finding the
director already confirmed or rejected is not raised again until a newer list arrives."""

from __future__ import annotations

import datetime
import functools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from pydantic import BaseModel, ConfigDict, Field, model_validator

from childfirst.accounts.audit import record
from childfirst.accounts.models import User
from childfirst.areas.models import Area, Level
from childfirst.datafile import DataFile, DataFileInvalid
from childfirst.registry.children.categories import read_categories
from childfirst.registry.models import Child, ChildStatus, ExitReason

from .current import POPULATION_KINDS, current_imports, is_population, kind_matches, population_source_keys
from .models import LinkageRun, Person, SourceRecord, TaskState, VerificationTask
from .notices import tell_tasks_raised

DISCOVERY_FILE = Path(__file__).resolve().parent / "data" / "discovery.yaml"
ADULT_AGE = 18
KIND_PATTERN = r"^(population|residence|school|death|birth|guardian_imprisoned|category:([a-z][a-z0-9_]{1,39}|\*))$"


# ----- the rules file ----------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Kind = str


class AgeRange(_Strict):
    min: int = Field(ge=0, le=17)
    max: int = Field(ge=0, le=17)
    # "MM-DD": the age is taken on the last such day on or before discovery instead of on the day itself
    # (school age: a child enrols in the year they are 6 by 31 August, so one who turned 6 in October
    # is not yet due).
    as_of: str | None = Field(default=None, pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")

    def reference_day(self, today: datetime.date) -> datetime.date:
        if self.as_of is None:
            return today
        month, day = (int(part) for part in self.as_of.split("-"))
        this_year = datetime.date(today.year, month, day)
        return this_year if this_year <= today else this_year.replace(year=today.year - 1)

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if self.min > self.max:
            raise ValueError("min is greater than max")
        return self


class When(_Strict):
    """The fixed vocabulary of conditions; all given ones must hold."""

    in_any_of: list[Kind] = []
    in_none_of: list[Kind] = []
    age: AgeRange | None = None
    has_file: bool | None = None
    file_active: Literal[True] | None = None
    in_no_current_population_list: Literal[True] | None = None
    turns_18_within_days: int | None = Field(default=None, ge=0, le=366)

    @model_validator(mode="after")
    def _kinds(self) -> When:
        for kind in [*self.in_any_of, *self.in_none_of]:
            if not re.match(KIND_PATTERN, kind):
                raise ValueError(f"unknown source kind {kind!r}")
        return self


class Rule(_Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    title: str = Field(min_length=1, max_length=60)
    title_en: str = Field(min_length=1, max_length=120)
    sources: list[Kind] = []
    when: When
    confirm: Literal["open_file", "exit"]
    category: str | None = None
    exit_reason: str | None = None
    deadline_days: int = Field(ge=1, le=365)

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        for kind in self.sources:
            if not re.match(KIND_PATTERN, kind):
                raise ValueError(f"unknown source kind {kind!r}")
        if self.confirm == "open_file" and not self.category:
            raise ValueError("a rule that opens a file names the category it suggests")
        if self.confirm == "exit" and self.exit_reason not in ExitReason.values:
            raise ValueError(f"exit_reason must be one of {', '.join(ExitReason.values)}")
        if self.when.has_file is None and self.when.file_active:
            raise ValueError("file_active needs has_file: true")
        if self.confirm == "exit" and self.when.has_file is not True:
            raise ValueError("a rule that closes a file needs has_file: true")
        return self

    @property
    def display_title(self) -> str:
        return self.title if (get_language() or "zh-hans").startswith("zh") else self.title_en


class RejectReason(_Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name: str = Field(min_length=1, max_length=40)
    name_en: str = Field(min_length=1, max_length=80)
    note_required: bool = False

    @property
    def display_name(self) -> str:
        return self.name if (get_language() or "zh-hans").startswith("zh") else self.name_en


class DiscoveryFile(_Strict):
    schema_version: Literal[1]
    reject_reasons: list[RejectReason] = Field(min_length=1)
    rules: list[Rule] = Field(min_length=1)

    def rule(self, key: str) -> Rule | None:
        return next((r for r in self.rules if r.key == key), None)

    def reason(self, key: str) -> RejectReason | None:
        return next((r for r in self.reject_reasons if r.key == key), None)


def read_rules(path: Path = DISCOVERY_FILE) -> DiscoveryFile:
    """The rules file, checked: schema, unique keys, and categories that exist in the registry's
    categories file. DataFileInvalid names the line and column of each problem."""
    datafile = DataFile.read(path)
    spec = datafile.validate(DiscoveryFile)
    codes = {c.code for c in read_categories().categories} | {
        s.code for c in read_categories().categories for s in c.subtypes
    }
    problems = []
    seen: set[str] = set()
    for index, rule in enumerate(spec.rules):
        if rule.key in seen:
            problems.append(datafile.problem(("rules", index, "key"), f"duplicate rule key {rule.key!r}"))
        seen.add(rule.key)
        if rule.category and rule.category != "from_evidence" and rule.category not in codes:
            problems.append(
                datafile.problem(("rules", index, "category"), f"{rule.category!r} is not a registry category code")
            )
        if rule.category == "from_evidence" and not any(k.startswith("category:") for k in rule.when.in_any_of):
            problems.append(
                datafile.problem(("rules", index, "category"), "from_evidence needs a category:… kind in in_any_of")
            )
    for index, kind in ((i, k) for i, r in enumerate(spec.rules) for k in r.when.in_any_of + r.sources):
        code = kind.partition(":")[2]
        if kind.startswith("category:") and code != "*" and code not in codes:
            problems.append(datafile.problem(("rules", index), f"{kind!r} names no registry category"))
    keys = [r.key for r in spec.reject_reasons]
    if len(set(keys)) != len(keys):
        problems.append(datafile.problem(("reject_reasons",), "duplicate reject reason key"))
    if problems:
        raise DataFileInvalid(problems)
    return spec


@functools.cache
def _cached_rules(path: Path, mtime: float) -> DiscoveryFile:
    return read_rules(path)


def rules(path: Path = DISCOVERY_FILE) -> DiscoveryFile:
    """The rules file, read again when it changes (pages call this on every request)."""
    return _cached_rules(path, path.stat().st_mtime)


# ----- the subjects: every child in a current list or with an active file ----------------------


@dataclass
class Subject:
    person: Person | None
    child: Child | None
    records: list[SourceRecord] = field(default_factory=list)

    @property
    def kinds(self) -> set[str]:
        return {r.proves for r in self.records if r.proves}

    @property
    def birth_date(self) -> datetime.date | None:
        if self.child is not None:
            return self.child.birth_date
        return self.person.birth_date if self.person is not None else None

    @property
    def in_population_list(self) -> bool:
        return any(is_population(r.source, r.proves) for r in self.records)

    def has(self, wanted: str) -> bool:
        return any(kind_matches(kind, wanted) for kind in self.kinds)

    def evidence(self, kinds: Iterable[str]) -> list[SourceRecord]:
        wanted = list(kinds)
        return [r for r in self.records if any(kind_matches(r.proves, w) for w in wanted)]


def _age(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def eighteenth_birthday(birth: datetime.date) -> datetime.date:
    try:
        return birth.replace(year=birth.year + ADULT_AGE)
    except ValueError:  # 29 February: the day after 28 February
        return datetime.date(birth.year + ADULT_AGE, 3, 1)


def holds(rule: Rule, subject: Subject, today: datetime.date, *, population_lists: bool) -> bool:
    """Whether every condition of `rule` holds for `subject` on `today`."""
    when = rule.when
    if when.in_any_of and not any(subject.has(kind) for kind in when.in_any_of):
        return False
    if when.in_none_of and any(subject.has(kind) for kind in when.in_none_of):
        return False
    if when.has_file is not None and (subject.child is not None) != when.has_file:
        return False
    if when.file_active and (subject.child is None or subject.child.status != ChildStatus.ACTIVE):
        return False
    birth = subject.birth_date
    if when.age is not None and (
        birth is None or not when.age.min <= _age(birth, when.age.reference_day(today)) <= when.age.max
    ):
        return False
    if when.turns_18_within_days is not None and (
        birth is None or eighteenth_birthday(birth) > today + datetime.timedelta(days=when.turns_18_within_days)
    ):
        return False
    # Without any current population list, absence from one proves nothing.
    return not (when.in_no_current_population_list and (not population_lists or subject.in_population_list))


def subjects() -> list[Subject]:
    """Every person with a record in a current list, and every active file with no such person."""
    imports = {i.pk: i for i in current_imports()}
    # The rules read a record's kind and list only; each person (with file and places) is read once,
    # not once per record of theirs (~33,000 records of ~19,000 persons in the demo).
    records = (
        SourceRecord.objects.filter(list_import__in=list(imports), person__isnull=False)
        .only("pk", "person_id", "list_import_id", "source", "proves")
        .order_by("person_id", "source", "row_number")
    )
    persons = {
        person.pk: person
        for person in Person.objects.filter(pk__in=records.values("person_id")).select_related(
            "child__residence_area", "community", "street"
        )
    }
    by_person: dict[int, Subject] = {}
    for rec in records:
        person = persons[rec.person_id]  # type: ignore[index]  # person_id is set: filtered above
        rec.person, rec.list_import = person, imports[rec.list_import_id]
        subject = by_person.get(person.pk)
        if subject is None:
            subject = by_person[person.pk] = Subject(person, person.child)
        subject.records.append(rec)
    children_seen = {s.child.pk for s in by_person.values() if s.child is not None}
    found = list(by_person.values())
    unseen = Child.objects.active().exclude(pk__in=children_seen)
    # Their persons (one at most: Person.child is one-to-one) in one query, not one query a file.
    unseen_persons = {person.child_id: person for person in Person.objects.filter(child__in=unseen.values("pk"))}
    for child in unseen.select_related("residence_area"):
        found.append(Subject(unseen_persons.get(child.pk), child))
    return found


# ----- routing -----------------------------------------------------------------------------------


def route(subject: Subject) -> tuple[Area | None, Area | None]:
    """(street, community) the task goes to: the file's community when there is a file, else where
    the lists place the child; the street alone when only the street is known."""
    if subject.child is not None:
        community = subject.child.residence_area
        return community.street(), community
    person = subject.person
    if person is None:
        return None, None
    if person.community_id is not None:
        assert person.community is not None
        return person.community.street(), person.community
    if person.street_id is not None:
        return person.street, None
    return None, None


# ----- discovery ---------------------------------------------------------------------------------


def _finding_key(rule: str, person_id: int | None, child_id: int | None) -> tuple[str, str]:
    return (rule, f"p{person_id}" if person_id is not None else f"c{child_id}")


def _task_key(task: VerificationTask) -> tuple[str, str]:
    return _finding_key(task.rule, task.person_id, task.child_id)


@transaction.atomic
def do_discover(
    today: datetime.date | None = None, *, user: User | None = None, run: LinkageRun | None = None
) -> dict[str, int | dict[str, int]]:
    """Apply every rule; raise, keep and withdraw tasks. Returns the counts (also on `run`)."""
    today = today or timezone.localdate()
    spec = rules()
    imports = current_imports()
    keys = population_source_keys()
    population_lists = any(
        i.source in keys if keys is not None else i.records.filter(proves__in=POPULATION_KINDS).exists()
        for i in imports
    )
    newest_list = max((i.finished_at or i.created_at for i in imports), default=None)
    open_tasks = {_task_key(t): t for t in VerificationTask.objects.select_for_update().filter(state=TaskState.OPEN)}
    # A finding decided since the newest list is not raised again (a rejection stands until new data).
    decided = VerificationTask.objects.filter(state__in=[TaskState.CONFIRMED, TaskState.REJECTED])
    if newest_list is not None:
        decided = decided.filter(decided_at__gte=newest_list)
    settled = {_task_key(t) for t in decided}
    counts: dict[str, int] = defaultdict(int, {k: 0 for k in ("raised", "kept", "settled", "unroutable")})
    by_rule: dict[str, int] = defaultdict(int)
    holding: set[tuple[str, str]] = set()
    raised: list[VerificationTask] = []
    for subject in subjects():
        for rule in spec.rules:
            if not holds(rule, subject, today, population_lists=population_lists):
                continue
            person_id = subject.person.pk if subject.person is not None else None
            child_id = subject.child.pk if subject.child is not None else None
            key = _finding_key(rule.key, person_id, child_id)
            holding.add(key)
            evidence = subject.evidence(rule.sources)
            if key in open_tasks:
                task = open_tasks[key]
                if {r.pk for r in evidence} != set(task.evidence.values_list("pk", flat=True)):
                    task.evidence.set(evidence)  # the newer snapshot's rows
                counts["kept"] += 1
                continue
            if key in settled:
                counts["settled"] += 1
                continue
            street, community = route(subject)
            if street is None:
                counts["unroutable"] += 1
                continue
            task = VerificationTask.objects.create(
                rule=rule.key,
                person=subject.person,
                child=subject.child,
                street=street,
                community=community if community is not None and community.level == Level.COMMUNITY else None,
                deadline=today + datetime.timedelta(days=rule.deadline_days),
                is_synthetic=bool(subject.child and subject.child.is_synthetic)
                or any(r.list_import.is_synthetic for r in evidence),
            )
            task.evidence.set(evidence)
            counts["raised"] += 1
            by_rule[rule.key] += 1
            raised.append(task)
    withdrawn = [t.pk for key, t in open_tasks.items() if key not in holding]
    VerificationTask.objects.filter(pk__in=withdrawn).update(state=TaskState.WITHDRAWN, decided_at=timezone.now())
    counts["withdrawn"] = len(withdrawn)
    counts["open"] = VerificationTask.objects.filter(state=TaskState.OPEN).count()
    result: dict[str, int | dict[str, int]] = {**counts, "raised_by_rule": dict(by_rule)}
    record("linkage.discovered", actor=user, obj=run, counts=result)
    tell_tasks_raised(raised)
    if run is not None:
        run.counts = result
        run.save(update_fields=["counts"])
    return result
