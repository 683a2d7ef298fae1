from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from childfirst.datafile import DataFileInvalid
from childfirst.datafile_command import invalid_file_error
from childfirst.migrating import ensure_migrated
from childfirst.plans.loader import read_plan_file


class Command(BaseCommand):
    help = "Validate a plan file without loading it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        ensure_migrated()
        try:
            _datafile, spec, _source = read_plan_file(file)
        except DataFileInvalid as exc:
            raise invalid_file_error(exc) from None
        self.stdout.write(
            _("%(file)s is valid: %(domains)d domains, %(indicators)d indicators, %(projects)d key projects.")
            % {
                "file": file,
                "domains": len(spec.domains),
                "indicators": len(spec.indicators),
                "projects": len(spec.key_projects),
            }
        )
