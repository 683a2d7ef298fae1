from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from childfirst.linkage.retention import do_purge_expired, find_expired
from childfirst.migrating import ensure_migrated


class Command(BaseCommand):
    help = (
        "Delete department-list imports and their records past their source's retention (data/sources.yaml), and "
        "comparisons of two lists older than CHILDFIRST_LINKAGE_PAIR_KEEP_DAYS. Run it daily from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only count what would be deleted")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        ensure_migrated()
        found = find_expired() if dry_run else do_purge_expired(None)
        counts = {"imports": len(found.imports), "records": found.records, "pairs": len(found.pair_jobs)}
        if dry_run:
            message = _(
                "%(imports)d imports (%(records)d records) and %(pairs)d comparisons are past retention and "
                "would be deleted."
            )
        else:
            message = _("Deleted %(imports)d imports (%(records)d records) and %(pairs)d comparisons past retention.")
        self.stdout.write(message % counts)
        for source, count in sorted(found.by_source.items()):
            self.stdout.write(f"  {source}: {count}")
