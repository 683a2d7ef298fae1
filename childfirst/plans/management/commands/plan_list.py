from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from childfirst.migrating import ensure_migrated
from childfirst.plans.commands import plan_lines, plan_records


class Command(BaseCommand):
    help = "List every loaded plan: code, name, area, years, status, synthetic or not, number of indicators."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="one JSON list with one object per plan")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated()
        if options["json"]:
            self.stdout.write(json.dumps(plan_records(), ensure_ascii=False, indent=2))
            return
        lines = plan_lines()
        if not lines:
            self.stdout.write(_("No plan is loaded. Load one with: childfirst plan load FILE"))
            return
        self.stdout.write(_("%(count)d plan(s) loaded:") % {"count": len(lines)})
        for line in lines:
            self.stdout.write(line)
