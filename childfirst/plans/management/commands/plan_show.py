from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from childfirst.migrating import ensure_migrated
from childfirst.plans.export import catalogue_records
from childfirst.plans.models import Plan


class Command(BaseCommand):
    help = "List a plan's indicator catalogue (the newest plan unless --plan is given)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="one JSON list with one object per indicator")
        parser.add_argument("--plan", help="plan code")
        parser.add_argument("--include-retired", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated()
        plans = Plan.objects.all()
        plan = plans.filter(code=options["plan"]).first() if options["plan"] else plans.first()
        if plan is None:
            raise CommandError(_("No such plan is loaded. Load one with: childfirst plan load FILE"))
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
