"""The department lists as data (data/sources.yaml): what each list is, whose it is, how its columns
are named, how long its records are kept and what a row of it may prove.

Read once per process and validated strictly: an unknown key, a category the registry does not know,
a column mapped to a field that does not exist, a duplicate source — each is a DataFileInvalid naming
the line and column of the file."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Literal

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field

from childfirst.datafile import DataFile, Problem, raise_if
from childfirst.registry.children.categories import read_categories

from .headers import FIELDS, header_key

SOURCES_FILE = Path(__file__).resolve().parent / "data" / "sources.yaml"
IGNORE = "ignore"
PLAIN_PROOFS = ("population", "school", "residence", "death", "birth", "guardian_imprisoned")
CATEGORY_PREFIX = "category:"
_PROOF = re.compile(r"^(population|school|residence|death|birth|guardian_imprisoned|category:[a-z][a-z0-9_]{1,39})$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ProofColumn(_Strict):
    """A column whose value says what the row proves (孤儿 or 事实无人抚养儿童 in one benefit list)."""

    headers: list[str] = Field(min_length=1)
    values: dict[str, str] = Field(min_length=1)


class Source(_Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name: str = Field(min_length=1, max_length=60)
    name_en: str = Field(min_length=1, max_length=120)
    department: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    headers: dict[str, str] = {}
    proof_column: ProofColumn | None = None
    retention_days: int = Field(ge=1, le=36500)
    proves: list[str] = Field(min_length=1)
    population: bool
    # The household registry itself (户籍): a row's community is where the child is registered, and its
    # address the registered one, not necessarily where the child lives.
    household_registration: bool = False

    @property
    def display_name(self) -> str:
        """The name in the active language."""
        return self.name_en if (get_language() or "").startswith("en") else self.name

    @property
    def column_fields(self) -> dict[str, str]:
        """The source's own header names that name a field (the ignored ones left out)."""
        return {header: field for header, field in self.headers.items() if field != IGNORE}

    @property
    def ignored_headers(self) -> frozenset[str]:
        """Header keys (headers.header_key) of columns this list's reader must not take for a field."""
        return frozenset(header_key(header) for header, field in self.headers.items() if field == IGNORE)

    def proof_for(self, value: object) -> str | None:
        """What a row proves given its proof column's value; None when the value is not one listed."""
        if self.proof_column is None:
            return self.proves[0]
        wanted = header_key(str(value or ""))
        for text, proof in self.proof_column.values.items():
            if header_key(text) == wanted:
                return proof
        return None

    def category_codes(self) -> list[str]:
        return [p.removeprefix(CATEGORY_PREFIX) for p in self.proves if p.startswith(CATEGORY_PREFIX)]


class SourceFile(_Strict):
    schema_version: Literal[1]
    sources: list[Source] = Field(min_length=1)


def _check(datafile: DataFile, spec: SourceFile) -> None:
    """What the schema cannot say: unique keys, known fields, proofs and categories."""
    categories = {c.code for c in read_categories().categories} | {
        s.code for c in read_categories().categories for s in c.subtypes
    }
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, source in enumerate(spec.sources):
        at = ("sources", index)
        if source.key in seen:
            problems.append(datafile.problem((*at, "key"), _("duplicate source key %(key)s") % {"key": source.key}))
        seen.add(source.key)
        for header, field in source.headers.items():
            if field not in FIELDS and field != IGNORE:
                problems.append(
                    datafile.problem(
                        (*at, "headers", header),
                        _("%(field)s is not a field; expected one of %(fields)s or ignore")
                        % {"field": field, "fields": ", ".join(FIELDS)},
                    )
                )
        for position, proof in enumerate(source.proves):
            if not _PROOF.match(proof):
                problems.append(
                    datafile.problem(
                        (*at, "proves", position),
                        _("%(proof)s is not something a list proves; expected one of %(proofs)s or category:<code>")
                        % {"proof": proof, "proofs": ", ".join(PLAIN_PROOFS)},
                    )
                )
            elif proof.startswith(CATEGORY_PREFIX) and proof.removeprefix(CATEGORY_PREFIX) not in categories:
                problems.append(
                    datafile.problem(
                        (*at, "proves", position),
                        _("%(code)s is not a category of the registry (registry/data/categories.yaml)")
                        % {"code": proof.removeprefix(CATEGORY_PREFIX)},
                    )
                )
        if source.proof_column is not None:
            for text, proof in source.proof_column.values.items():
                if proof not in source.proves:
                    problems.append(
                        datafile.problem(
                            (*at, "proof_column", "values", text),
                            _("%(proof)s is not among the source's proves") % {"proof": proof},
                        )
                    )
    raise_if(problems)


def read_sources(path: Path = SOURCES_FILE) -> SourceFile:
    """The file's content, checked; DataFileInvalid naming line and column when it is wrong."""
    datafile = DataFile.read(path)
    spec = datafile.validate(SourceFile)
    _check(datafile, spec)
    return spec


@functools.cache
def sources() -> dict[str, Source]:
    """The shipped sources by key, in the file's order (read once per process)."""
    return {source.key: source for source in read_sources().sources}


def get_source(key: str) -> Source | None:
    return sources().get(key)


def population_sources() -> list[Source]:
    return [s for s in sources().values() if s.population]
