from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from childfirst.collection.rules import RULES_FILE, load_rules
from childfirst.datafile import DataFileInvalid
from childfirst.datafile_command import invalid_file_error
from childfirst.migrating import ensure_migrated


class Command(BaseCommand):
    help = "Load the validation rules and thresholds from a YAML file (default: the shipped rules)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default=str(RULES_FILE))

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        ensure_migrated()
        try:
            count = load_rules(file)
        except DataFileInvalid as exc:
            raise invalid_file_error(exc) from None
        self.stdout.write(_("%(count)d validation rules loaded.") % {"count": count})
