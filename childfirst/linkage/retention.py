"""Retention of the department lists (`childfirst linkage purge`): an import and its records are deleted
once their as-of date is older than the source's retention (data/sources.yaml); a comparison of two lists
(its files and result) after LINKAGE_PAIR_KEEP_DAYS. One audit row says what went, by number."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from childfirst.accounts.audit import record
from childfirst.accounts.models import User

from .models import ListImport, PairJob, SourceRecord
from .sources import sources


@dataclass
class Purge:
    imports: list[int] = field(default_factory=list)
    records: int = 0
    pair_jobs: list[int] = field(default_factory=list)
    by_source: dict[str, int] = field(default_factory=dict)


def expired_imports(today: datetime.date | None = None):
    """Imports whose as-of date is past their source's retention (and those of sources no longer declared:
    nothing says they may be kept)."""
    today = today or timezone.localdate()
    condition = Q(pk__in=[])
    declared = sources()
    for key, source in declared.items():
        condition |= Q(source=key, as_of__lt=today - datetime.timedelta(days=source.retention_days))
    condition |= ~Q(source__in=list(declared))
    return ListImport.objects.filter(condition)


def expired_pair_jobs(now: datetime.datetime | None = None):
    now = now or timezone.now()
    return PairJob.objects.filter(created_at__lt=now - datetime.timedelta(days=settings.LINKAGE_PAIR_KEEP_DAYS))


def find_expired(today: datetime.date | None = None) -> Purge:
    found = Purge()
    for pk, source in expired_imports(today).values_list("pk", "source").order_by("pk"):
        found.imports.append(pk)
        found.by_source[source] = found.by_source.get(source, 0) + 1
    found.records = SourceRecord.objects.filter(list_import__in=found.imports).count()
    found.pair_jobs = list(expired_pair_jobs().order_by("pk").values_list("pk", flat=True))
    return found


@transaction.atomic
def do_purge_expired(actor: User | None = None, *, today: datetime.date | None = None) -> Purge:
    """Delete what is past retention; the records' tasks and review items go with them (the database's
    cascade). The audit row names the imports and jobs by number, and counts the records."""
    found = find_expired(today)
    if not found.imports and not found.pair_jobs:
        return found
    for start in range(0, len(found.imports), 200):
        batch = found.imports[start : start + 200]
        SourceRecord.objects.filter(list_import__in=batch).delete()
        ListImport.objects.filter(pk__in=batch).delete()
    PairJob.objects.filter(pk__in=found.pair_jobs).delete()
    record(
        "linkage.purged",
        actor=actor,
        imports=found.imports,
        records=found.records,
        by_source=found.by_source,
        pair_jobs=found.pair_jobs,
    )
    return found
