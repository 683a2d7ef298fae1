from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from childfirst.migrating import ensure_migrated
from childfirst.registry.children.actions import (
    access_log_retention_in_force,
    do_purge_access_log,
    do_purge_exited,
    purgeable,
    purgeable_access_log,
)


class Command(BaseCommand):
    help = (
        "Delete closed (exited) child files whose exit is older than the retention period "
        "(CHILDFIRST_REGISTRY_RETENTION_DAYS), with their guardians, categories, photo, visits and referrals. "
        "The access log keeps its rows (file numbers only). With --logs, also delete access-log rows older "
        "than CHILDFIRST_ACCESS_LOG_RETENTION_DAYS. Run it daily from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only count the files that would be deleted")
        parser.add_argument(
            "--logs",
            action="store_true",
            help=f"also delete access-log rows older than {settings.ACCESS_LOG_RETENTION_DAYS} days "
            "(CHILDFIRST_ACCESS_LOG_RETENTION_DAYS)",
        )
        parser.add_argument(
            "--retention-days",
            type=int,
            default=None,
            help=f"days after the exit (default: the setting, now {settings.REGISTRY_RETENTION_DAYS})",
        )

    def handle(self, *args: Any, dry_run: bool, logs: bool, retention_days: int | None, **options: Any) -> None:
        ensure_migrated()
        if logs:
            self._purge_logs(dry_run)
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

    def _purge_logs(self, dry_run: bool) -> None:
        in_force = access_log_retention_in_force()
        if in_force > settings.ACCESS_LOG_RETENTION_DAYS:
            self.stderr.write(
                _(
                    "The database keeps the access log for %(in_force)d days; the configured %(days)d days "
                    "are not applied (only the database owner can shorten the period)."
                )
                % {"in_force": in_force, "days": settings.ACCESS_LOG_RETENTION_DAYS}
            )
        if dry_run:
            days = max(in_force, settings.ACCESS_LOG_RETENTION_DAYS)
            count = purgeable_access_log(days).count()
            self.stdout.write(
                _("%(count)d access-log rows are older than %(days)d days and would be deleted.")
                % {"count": count, "days": days}
            )
            return
        count, days = do_purge_access_log(None)
        self.stdout.write(
            _("Deleted %(count)d access-log rows older than %(days)d days.") % {"count": count, "days": days}
        )
