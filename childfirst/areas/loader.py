"""Loading an area tree from its YAML file: validate everything, then upsert in one transaction.

Areas are matched by code and updated in place; an area missing from the file is left
alone (history is kept by ending an area with `valid_to`, never by deleting it).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from django.db import transaction
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field

from childfirst.datafile import DataFile, Path_, Problem, raise_if

from .models import CITY_SUFFIX, CODE_LENGTH, Area, Level, code_prefix


class AreaSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    name_en: str = ""
    level: Literal["city", "district", "street", "community"]
    kind: str = ""
    valid_from: datetime.date = datetime.date(2000, 1, 1)
    valid_to: datetime.date | None = None
    replaced_by: str | None = None
    is_synthetic: bool = False
    code_note: str = ""
    children: list[AreaSpec] = []


class AreaFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1]
    areas: list[AreaSpec] = Field(min_length=1)


@dataclass
class AreaLoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _flatten(
    specs: list[AreaSpec], parent: AreaSpec | None, path: Path_
) -> Iterator[tuple[AreaSpec, AreaSpec | None, Path_]]:
    for index, spec in enumerate(specs):
        here = path + (index,)
        yield spec, parent, here
        yield from _flatten(spec.children, spec, here + ("children",))


def _check(datafile: DataFile, spec_file: AreaFile) -> list[Problem]:
    problems = []
    seen: dict[str, Path_] = {}
    for spec, parent, path in _flatten(spec_file.areas, None, ("areas",)):
        if not spec.code.isascii() or not spec.code.isdigit():
            problems.append(datafile.problem(path + ("code",), _("an area code consists of digits only")))
        elif len(spec.code) != CODE_LENGTH[Level(spec.level)]:
            problems.append(
                datafile.problem(
                    path + ("code",),
                    _("a %(level)s code has %(digits)d digits, not %(given)d")
                    % {
                        "level": spec.level,
                        "digits": CODE_LENGTH[Level(spec.level)],
                        "given": len(spec.code),
                    },
                )
            )
        elif spec.level == "city" and not spec.code.endswith(CITY_SUFFIX):
            problems.append(datafile.problem(path + ("code",), _("a city code ends in 00")))
        if parent is not None and not spec.code.startswith(code_prefix(parent.code, parent.level)):
            problems.append(
                datafile.problem(
                    path + ("code",),
                    _("code %(code)s does not start with its parent's code %(parent)s")
                    % {"code": spec.code, "parent": code_prefix(parent.code, parent.level)},
                )
            )
        if parent is not None and spec.level == "city":
            problems.append(datafile.problem(path + ("level",), _("a city is the top of its tree")))
        if spec.code in seen:
            problems.append(datafile.problem(path + ("code",), _("code %(code)s appears twice") % {"code": spec.code}))
        seen[spec.code] = path
        if spec.valid_to is not None and spec.valid_to <= spec.valid_from:
            problems.append(datafile.problem(path + ("valid_to",), _("valid_to must be after valid_from")))
    for spec, _parent, path in _flatten(spec_file.areas, None, ("areas",)):
        if (
            spec.replaced_by
            and spec.replaced_by not in seen
            and not Area.objects.filter(code=spec.replaced_by).exists()
        ):
            problems.append(
                datafile.problem(
                    path + ("replaced_by",),
                    _("replacement area %(code)s is unknown") % {"code": spec.replaced_by},
                )
            )
    return problems


def load_areas(path: Path | str) -> AreaLoadResult:
    datafile = DataFile.read(path)
    spec_file = datafile.validate(AreaFile)
    raise_if(_check(datafile, spec_file))
    return _save(spec_file)


@transaction.atomic
def _save(spec_file: AreaFile) -> AreaLoadResult:
    result = AreaLoadResult()
    by_code: dict[str, Area] = {}
    flat = list(_flatten(spec_file.areas, None, ("areas",)))
    for spec, parent, _path in flat:
        fields = {
            "name": spec.name,
            "name_en": spec.name_en,
            "level": spec.level,
            "kind": spec.kind,
            "valid_from": spec.valid_from,
            "valid_to": spec.valid_to,
            "is_synthetic": spec.is_synthetic,
            "code_note": spec.code_note,
            "parent": by_code[parent.code] if parent else None,
        }
        area = Area.objects.filter(code=spec.code).first()
        if area is None:
            area = Area.objects.create(code=spec.code, **fields)
            result.created += 1
        elif any(getattr(area, key) != value for key, value in fields.items()):
            for key, value in fields.items():
                setattr(area, key, value)
            area.save()
            result.updated += 1
        else:
            result.unchanged += 1
        by_code[spec.code] = area
    for spec, _parent, _path in flat:
        if spec.replaced_by:
            Area.objects.filter(code=spec.code).update(replaced_by=Area.objects.get(code=spec.replaced_by))
    return result
