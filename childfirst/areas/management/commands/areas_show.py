from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from childfirst.areas.models import Area
from childfirst.migrating import ensure_migrated


class Command(BaseCommand):
    help = "List the area tree with codes and validity."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="include areas no longer valid")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated()
        areas = Area.objects.all() if options["all"] else Area.objects.valid_on()
        indent = {6: "", 9: "  ", 12: "    "}
        for area in areas:
            flags = []
            if area.is_synthetic:
                flags.append(_("synthetic"))
            if area.valid_to:
                flags.append(_("until %(day)s") % {"day": area.valid_to})
            suffix = f"  ({', '.join(flags)})" if flags else ""
            self.stdout.write(f"{indent[len(area.code)]}{area.code} {area.name}{suffix}")
