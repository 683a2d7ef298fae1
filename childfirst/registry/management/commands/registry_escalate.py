from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from childfirst.migrating import ensure_migrated
from childfirst.registry.mandatory.actions import escalate_overdue_reports
from childfirst.registry.models import MandatoryReport


class Command(BaseCommand):
    help = (
        "Escalate mandatory reports still untriaged after their triage deadline (data/visit_policy.yaml): "
        "the office sees them (without the child's details) and the street's supervisor gets a task. "
        "Pages showing reports do the same when viewed; run this from cron (e.g. hourly) so that nothing "
        "waits for a page view."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated()
        count = escalate_overdue_reports()
        waiting = MandatoryReport.objects.awaiting_triage().filter(escalated_at__isnull=False).count()
        self.stdout.write(
            _("Escalated %(count)d report(s); %(waiting)d escalated report(s) still await triage.")
            % {"count": count, "waiting": waiting}
        )
