from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.collection.notices import do_notify_deadline_near
from childfirst.migrating import ensure_migrated


class Command(BaseCommand):
    help = "Tell reporters whose data is not yet submitted that the round's deadline is near (once each; daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="days before the deadline (default: the setting)")

    def handle(self, *args: Any, days: int | None, **options: Any) -> None:
        ensure_migrated()
        days = settings.DEADLINE_NEAR_DAYS if days is None else days
        count = do_notify_deadline_near(timezone.localdate(), days)
        self.stdout.write(_("%(count)d notification(s) of a near deadline written.") % {"count": count})
