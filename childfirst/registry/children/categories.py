"""Loading the categories of child (data/categories.yaml) into CategoryType, by code.

Runs after every `migrate` (apps.py) so every database, the tests' included, has them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field

from childfirst.datafile import DataFile
from childfirst.registry.models import CategoryType
from childfirst.registry.tally import maintain as tally

CATEGORY_FILE = Path(__file__).resolve().parent.parent / "data" / "categories.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SubtypeSpec(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name: str = Field(min_length=1, max_length=60)
    name_en: str = Field(default="", max_length=120)
    description: str = ""


class CategorySpec(SubtypeSpec):
    subtypes: list[SubtypeSpec] = []


class CategoryFile(_Strict):
    schema_version: Literal[1]
    categories: list[CategorySpec]


def read_categories(path: Path = CATEGORY_FILE) -> CategoryFile:
    """The file's content; DataFileInvalid naming line and column when it is wrong."""
    return DataFile.read(path).validate(CategoryFile)


@transaction.atomic
def load_categories(path: Path = CATEGORY_FILE) -> int:
    """Create or update every category in the file; returns how many the file holds."""
    spec = read_categories(path)
    tops_before = tally.top_ids()
    order = 0
    for category in spec.categories:
        order += 10
        parent, _created = CategoryType.objects.update_or_create(
            code=category.code,
            defaults={
                "name": category.name,
                "name_en": category.name_en,
                "description": category.description,
                "parent": None,
                "order": order,
            },
        )
        for subtype in category.subtypes:
            order += 1
            CategoryType.objects.update_or_create(
                code=subtype.code,
                defaults={
                    "name": subtype.name,
                    "name_en": subtype.name_en,
                    "description": subtype.description,
                    "parent": parent,
                    "order": order,
                },
            )
    tops_after = tally.top_ids()
    if any(tops_after.get(pk) != top for pk, top in tops_before.items()):
        # A sub-category moved to another parent: the count table's sets of categories change.
        tally.rebuild()
    return sum(1 + len(c.subtypes) for c in spec.categories)
