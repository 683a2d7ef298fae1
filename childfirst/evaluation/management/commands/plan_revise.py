from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from childfirst.datafile import DataFileInvalid
from childfirst.datafile_command import invalid_file_error
from childfirst.evaluation.published import published_years
from childfirst.migrating import ensure_migrated
from childfirst.plans.revisions import load_revisions


# In evaluation, not plans: it names the published evaluations a revision leaves as they are, and
# plans may not import evaluation.
class Command(BaseCommand):
    help = "Load a plan's target revisions from their YAML file (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the revisions file (YAML)")
        parser.add_argument("--dry-run", action="store_true", help="check and say what would change; change nothing")

    def handle(self, *args: Any, file: str, dry_run: bool, **options: Any) -> None:
        ensure_migrated()
        try:
            result = load_revisions(file, dry_run=dry_run)
        except DataFileInvalid as exc:
            raise invalid_file_error(exc) from None
        if dry_run:
            self.stdout.write(_("Dry run: nothing was changed."))
        self.stdout.write(
            _("%(plan)s: %(created)d revisions new, %(updated)d updated, %(unchanged)d unchanged, %(removed)d removed.")
            % {
                "plan": result.plan.name,
                "created": len(result.created),
                "updated": len(result.updated),
                "unchanged": result.unchanged,
                "removed": len(result.removed),
            }
        )
        changed = [*result.created, *result.updated, *result.removed]
        first = min((int(label.rsplit("@", 1)[1]) for label in changed), default=None)
        affected = sorted(y for y in published_years(result.plan) if first is not None and y >= first)
        if affected:
            self.stdout.write(
                _(
                    "Published evaluations of %(years)s keep the targets they were evaluated against; "
                    "publish them again to evaluate against the revised targets."
                )
                % {"years": "、".join(str(y) for y in affected)}
            )
