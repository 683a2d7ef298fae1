from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from childfirst.areas.loader import load_areas
from childfirst.datafile import DataFileInvalid
from childfirst.datafile_command import invalid_file_error
from childfirst.migrating import ensure_migrated


class Command(BaseCommand):
    help = "Load or update an area tree from its YAML file (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        ensure_migrated()
        try:
            result = load_areas(file)
        except DataFileInvalid as exc:
            raise invalid_file_error(exc) from None
        self.stdout.write(
            _("Areas: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        )
