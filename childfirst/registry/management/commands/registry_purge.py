from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from childfirst.migrating import ensure_migrated
from childfirst.registry.children.actions import do_purge_exited, purgeable


class Command(BaseCommand):
    help = (
        "Delete closed (exited) child files whose exit is older than the retention period "
        "(CHILDFIRST_REGISTRY_RETENTION_DAYS), with their guardians, categories, photo, visits and referrals. "
        "The access log keeps its rows (file numbers only). Run it daily from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only count the files that would be deleted")
        parser.add_argument(
            "--retention-days",
            type=int,
            default=None,
            help=f"days after the exit (default: the setting, now {settings.REGISTRY_RETENTION_DAYS})",
        )

    def handle(self, *args: Any, dry_run: bool, retention_days: int | None, **options: Any) -> None:
        ensure_migrated()
        days = settings.REGISTRY_RETENTION_DAYS if retention_days is None else max(retention_days, 0)
        if dry_run:
            count = purgeable(days).count()
            self.stdout.write(
                _("%(count)d closed files are older than %(days)d days and would be deleted.")
                % {"count": count, "days": days}
            )
            return
        count = do_purge_exited(None, retention_days=days)
        self.stdout.write(
            _("Deleted %(count)d closed files older than %(days)d days.") % {"count": count, "days": days}
        )
