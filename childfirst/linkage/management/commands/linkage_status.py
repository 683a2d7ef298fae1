from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count
from django.utils.translation import gettext as _

from childfirst.linkage.models import (
    JobState,
    LinkageRun,
    ListImport,
    ReviewItem,
    ReviewState,
    TaskState,
    VerificationTask,
)
from childfirst.linkage.sources import sources
from childfirst.migrating import ensure_migrated


class Command(BaseCommand):
    help = (
        "Per department list: its current snapshot and imports; the last linkage run; open tasks and review "
        "items (counts only)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        pass

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated()
        imports = {row["source"]: row["n"] for row in ListImport.objects.values("source").annotate(n=Count("id"))}
        self.stdout.write(_("Lists (source, current as-of date, rows, imports):"))
        for key, source in sources().items():
            current = (
                ListImport.objects.filter(source=key, state=JobState.DONE)
                .order_by("-as_of", "-finished_at", "-id")
                .first()
            )
            as_of = current.as_of.isoformat() if current else "—"
            rows = current.rows_imported if current else 0
            self.stdout.write(f"  {key:<18} {source.name:<24} {as_of:<10} {rows:>9} {imports.get(key, 0):>4}")
        run = LinkageRun.objects.order_by("-created_at", "-id").first()
        if run is None:
            self.stdout.write(_("Last run: none yet."))
        else:
            self.stdout.write(
                _("Last run: %(kind)s, %(state)s, started %(when)s.")
                % {"kind": run.kind, "state": run.get_state_display(), "when": f"{run.created_at:%Y-%m-%d %H:%M}"}
            )
        open_tasks = VerificationTask.objects.filter(state=TaskState.OPEN).count()
        pending = ReviewItem.objects.filter(state=ReviewState.PENDING).count()
        self.stdout.write(_("Open verification tasks: %(count)d") % {"count": open_tasks})
        self.stdout.write(_("Pairs awaiting review: %(count)d") % {"count": pending})
