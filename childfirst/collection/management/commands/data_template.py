from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from childfirst.collection.excel_template import build_template
from childfirst.collection.models import Submission
from childfirst.migrating import ensure_migrated
from childfirst.plans.commands import plan_from_option


class Command(BaseCommand):
    help = "Write a department's Excel template for a round, prefilled with its current values."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--department", required=True, help="department code, e.g. health")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--out", required=True, help="the .xlsx file to write")
        parser.add_argument("--plan", help="plan code (without it: the only plan loaded)")

    def handle(self, *args: Any, department: str, year: int, out: str, plan: str | None, **options: Any) -> None:
        ensure_migrated()
        the_plan = plan_from_option(plan)
        submission = (
            Submission.objects.filter(round__plan=the_plan, round__year=year, department__code=department)
            .select_related("round__plan", "department")
            .first()
        )
        if submission is None:
            raise CommandError(
                _("%(plan)s has no %(year)s round with department %(department)s (the office opens rounds).")
                % {"plan": the_plan.code, "year": year, "department": department}
            )
        content = build_template(submission)
        Path(out).write_bytes(content)
        self.stdout.write(
            _("Wrote %(file)s: the %(year)s template of %(department)s.")
            % {"file": out, "year": year, "department": submission.department.name}
        )
