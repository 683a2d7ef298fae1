from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.collection.actions import do_drop_import_originals
from childfirst.migrating import ensure_migrated
from childfirst.registry.cards.actions import PDF_HOURS, do_drop_old_pdfs
from childfirst.reports.actions import do_prune_report_files


class Command(BaseCommand):
    help = (
        "Drop stored documents past their retention: the files of report generations beyond the newest "
        "CHILDFIRST_REPORT_KEEP_GENERATIONS of each report, and the original files of imports whose round "
        "closed more than CHILDFIRST_IMPORT_ORIGINAL_DAYS days ago, and contact cards' PDFs a day after printing. "
        "Run it daily from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only list what would be removed")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        ensure_migrated()
        keep, days = settings.REPORT_KEEP_GENERATIONS, settings.IMPORT_ORIGINAL_DAYS
        reports = do_prune_report_files(None, keep, dry_run=dry_run)
        for job, size in reports:
            self.stdout.write(
                _("report %(job)d (%(kind)s, %(year)d version %(version)d): %(bytes)d bytes")
                % {
                    "job": job.pk,
                    "kind": job.kind_in_sentence,
                    "year": job.snapshot.year,
                    "version": job.snapshot.version,
                    "bytes": size,
                }
            )
        imports = do_drop_import_originals(None, days, timezone.now(), dry_run=dry_run)
        for pk, year, size in imports:
            self.stdout.write(
                _("original of import %(id)d (%(year)d round): %(bytes)d bytes")
                % {"id": pk, "year": year, "bytes": size}
            )
        names = {
            "reports": len(reports),
            "keep": keep,
            "imports": len(imports),
            "days": days,
            "bytes": sum(size for _job, size in reports) + sum(size for _pk, _year, size in imports),
        }
        message = (
            _(
                "Would remove the files of %(reports)d older report generations (keeping the newest %(keep)d of "
                "each report) and %(imports)d import originals (rounds closed more than %(days)d days ago): "
                "%(bytes)d bytes."
            )
            if dry_run
            else _(
                "Removed the files of %(reports)d older report generations (keeping the newest %(keep)d of each "
                "report) and %(imports)d import originals (rounds closed more than %(days)d days ago): "
                "%(bytes)d bytes."
            )
        )
        self.stdout.write(message % names)
        cards = do_drop_old_pdfs(timezone.now(), dry_run=dry_run)
        self.stdout.write(
            (
                _("Would drop the PDFs of %(count)d batches of contact cards printed over %(hours)d hours ago.")
                if dry_run
                else _("Dropped the PDFs of %(count)d batches of contact cards printed over %(hours)d hours ago.")
            )
            % {"count": cards, "hours": PDF_HOURS}
        )
