"""Which records are current: the newest finished import of each source is that source's list
today; older snapshots stay (for the changes between them) until purged, but nothing reads them
for linking, discovery or coverage."""

from __future__ import annotations

import importlib
from typing import Any

from django.db.models import QuerySet

from .models import JobState, ListImport, SourceRecord

# What a population list proves (户籍 and 居住证/流动人口): the child lives (or is registered) here.
POPULATION_KINDS = frozenset({"population", "residence"})
# A record of one of these kinds places a child where the record says (for routing and coverage).
RESIDENCE_KINDS = POPULATION_KINDS


def current_imports() -> list[ListImport]:
    """The newest finished import of every source (the latest as-of date; the latest import of that
    date when a list was imported twice)."""
    newest: dict[str, ListImport] = {}
    for list_import in ListImport.objects.filter(state=JobState.DONE).order_by(
        "source", "-as_of", "-created_at", "-id"
    ):
        newest.setdefault(list_import.source, list_import)
    return list(newest.values())


def current_records() -> QuerySet[SourceRecord]:
    """Every record of a current list."""
    return SourceRecord.objects.filter(list_import__in=[i.pk for i in current_imports()])


def kind_matches(kind: str, wanted: str) -> bool:
    """Whether a record proving `kind` is of the wanted kind (`category:*` is any category)."""
    if wanted == "category:*":
        return kind.startswith("category:")
    return kind == wanted


def _sources_module() -> Any | None:
    """The sources declaration (data/sources.yaml, sources.py), when the import part is installed."""
    try:
        return importlib.import_module("childfirst.linkage.sources")
    except ImportError:
        return None


def population_source_keys() -> set[str] | None:
    """The keys of the sources declared as population lists, or None when none is declared (then a
    record's `proves` says it: population or residence)."""
    module = _sources_module()
    if module is None:
        return None
    return {source.key for source in module.population_sources()} or None


def is_population(source: str, proves: str) -> bool:
    keys = population_source_keys()
    return source in keys if keys is not None else proves in POPULATION_KINDS


def source_label(key: str) -> str:
    """The source's name (Chinese or English by the active language), else its key."""
    module = _sources_module()
    source = module.get_source(key) if module is not None else None
    if source is None:
        return key
    from django.utils.translation import get_language

    return str(source.name if (get_language() or "zh-hans").startswith("zh") else source.name_en)


def kind_label(kind: str) -> str:
    """What the lists of a kind are called: the names of the sources declared to prove it, else the kind."""
    module = _sources_module()
    if module is None:
        return kind
    from django.utils.translation import get_language

    chinese = (get_language() or "zh-hans").startswith("zh")
    names = [
        str(s.name if chinese else s.name_en)
        for s in module.sources().values()
        if any(kind_matches(proof, kind) for proof in s.proves)
    ]
    return "、".join(names) or kind
