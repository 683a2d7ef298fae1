from __future__ import annotations

import json
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from childfirst.evaluation.data import evaluate_plan
from childfirst.evaluation.labels import STATUS_LABELS, STATUS_ORDER
from childfirst.migrating import ensure_migrated
from childfirst.plans.commands import plan_from_option


class Command(BaseCommand):
    help = "Evaluate every indicator for the district and every street in year Y (accepted values only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--plan", help="plan code (without it: the only plan loaded)")
        parser.add_argument("--json", action="store_true", help="one JSON object per indicator × area")

    def handle(self, *args: Any, year: int, **options: Any) -> None:
        ensure_migrated()
        plan = plan_from_option(options["plan"])
        rows = evaluate_plan(plan, year)
        if options["json"]:
            records = [
                {
                    "indicator": row.indicator.code,
                    "name": row.indicator.name,
                    "domain": row.indicator.domain.code,
                    "area": row.area.code,
                    "area_name": row.area.name,
                    "comparator": row.indicator.comparator,
                    "target": float(row.indicator.target) if row.indicator.target is not None else None,
                    "target_year": row.indicator.target_year,
                    # The decision that set the target in force this year (None: the plan's own).
                    "target_revision": row.indicator.revision_in_force.document
                    if row.indicator.revision_in_force
                    else None,
                    **row.result.as_dict(),
                }
                for row in rows
            ]
            self.stdout.write(json.dumps(records, ensure_ascii=False, indent=2))
            return
        district = [r for r in rows if r.area.pk == plan.area_id]
        counts = Counter(r.result.status for r in district)
        self.stdout.write(
            _("%(plan)s, evaluation of %(year)s (%(area)s as a whole):")
            % {"plan": plan.name, "year": year, "area": plan.area.name}
            + "  "
            + "  ".join(f"{STATUS_LABELS[s]} {counts[s]}" for s in STATUS_ORDER if counts[s])
        )
        for row in sorted(district, key=lambda r: (STATUS_ORDER.index(r.result.status), r.indicator.code)):
            result = row.result
            latest = "—" if result.latest_value is None else f"{result.latest_value:g} ({result.latest_year})"
            self.stdout.write(
                f"  {row.indicator.code:<7} {STATUS_LABELS[result.status]:<6} {row.indicator.name}  {latest}"
                f"  → {row.indicator.target_display}"
            )
            for warning in result.warnings:
                self.stdout.write(f"           ! {warning.message}")
        streets = [r for r in rows if r.area.pk != plan.area_id]
        behind = [r for r in streets if any(w.code == "street_behind" for w in r.result.warnings)]
        if behind:
            self.stdout.write(_("Streets far behind the district:"))
            for row in behind:
                self.stdout.write(f"  {row.indicator.code:<7} {row.area.name}")
