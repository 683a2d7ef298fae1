from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.implementation.recommendation_actions import do_escalate_overdue
from childfirst.migrating import ensure_migrated


class Command(BaseCommand):
    help = "Escalate recommendations past their due date and not closed (once each; daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated()
        count = do_escalate_overdue(timezone.localdate())
        self.stdout.write(_("%(count)d overdue follow-up(s) escalated.") % {"count": count})
