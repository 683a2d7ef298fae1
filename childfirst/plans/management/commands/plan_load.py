from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from childfirst.datafile import DataFileInvalid
from childfirst.datafile_command import invalid_file_error
from childfirst.migrating import ensure_migrated
from childfirst.plans.loader import load_plan


class Command(BaseCommand):
    help = "Load or update a plan from its YAML file (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the plan file (YAML)")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        ensure_migrated()
        try:
            result = load_plan(file)
        except DataFileInvalid as exc:
            raise invalid_file_error(exc) from None
        self.stdout.write(
            _(
                "Loaded %(plan)s: %(created)d indicators new, %(updated)d updated, %(unchanged)d unchanged, "
                "%(retired)d retired, %(reinstated)d reinstated."
            )
            % {
                "plan": result.plan.name,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "retired": len(result.retired),
                "reinstated": len(result.reinstated),
            }
        )
        for code in result.retired:
            self.stdout.write(_("  retired (data kept): %(code)s") % {"code": code})
