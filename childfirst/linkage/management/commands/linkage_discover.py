from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from childfirst.linkage.discovery import rules
from childfirst.linkage.run import execute_run, queue_run
from childfirst.migrating import ensure_migrated


class Command(BaseCommand):
    help = (
        "Apply the discovery rules (data/discovery.yaml) to the person index and the registry: raise "
        "verification tasks for the children's directors, keep those still holding, withdraw the others. "
        "Run `linkage run` first after importing lists."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated()
        run = execute_run(queue_run("discover").pk)
        counts = run.counts
        self.stdout.write(
            _("%(raised)d task(s) raised, %(kept)d still open, %(withdrawn)d withdrawn; %(open)d open in all.")
            % {k: counts.get(k, 0) for k in ("raised", "kept", "withdrawn", "open")}
        )
        by_rule = counts.get("raised_by_rule") or {}
        spec = rules()
        for key, number in sorted(by_rule.items()):
            rule = spec.rule(key)
            self.stdout.write(f"  {rule.display_title if rule else key}: {number}")
        if counts.get("unroutable"):
            self.stdout.write(
                _("%(count)d finding(s) could not be routed: the lists place the child in no street.")
                % {"count": counts["unroutable"]}
            )
