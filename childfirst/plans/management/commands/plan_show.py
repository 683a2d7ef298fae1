from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from childfirst.migrating import ensure_migrated
from childfirst.plans.commands import plan_from_option
from childfirst.plans.export import catalogue_records


class Command(BaseCommand):
    help = "List a plan's indicator catalogue (the only plan loaded unless --plan is given)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="one JSON list with one object per indicator")
        parser.add_argument("--plan", help="plan code (without it: the only plan loaded)")
        parser.add_argument("--include-retired", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated()
        plan = plan_from_option(options["plan"])
        records = catalogue_records(plan, include_retired=options["include_retired"])
        if options["json"]:
            self.stdout.write(json.dumps(records, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{plan.name} ({plan.code}, {plan.version}) — {len(records)} " + _("indicators"))
        domain = None
        for record in records:
            if record["domain_name"] != domain:
                domain = record["domain_name"]
                self.stdout.write(f"\n{domain}")
            target = "" if record["target"] is None else f" {record['target']:g}"
            self.stdout.write(
                f"  {record['code']:<8} {record['name']}  [{record['comparator']}{target} {record['unit']}, "
                f"{record['target_year']}]  {'、'.join(record['departments'])}"
            )
