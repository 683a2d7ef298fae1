from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from childfirst.collection.completeness import outstanding
from childfirst.evaluation.actions import do_publish
from childfirst.migrating import ensure_migrated
from childfirst.plans.commands import plan_from_option


class Command(BaseCommand):
    help = "Publish (freeze) the evaluation of year Y as a new version of its snapshot."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--plan", help="plan code (without it: the only plan loaded)")
        parser.add_argument("--note", default="")
        parser.add_argument(
            "--reason",
            default="",
            help="why publish while the year's round is open or not all accepted (required then; recorded)",
        )

    def handle(self, *args: Any, year: int, **options: Any) -> None:
        ensure_migrated()
        plan = plan_from_option(options["plan"])
        try:
            snapshot = do_publish(None, plan, year, options["note"], reason=options["reason"])
        except ValidationError as exc:
            missing = outstanding(plan, year)
            raise CommandError(
                " ".join(exc.messages)
                + " "
                + _("Departments not accepted: %(departments)s; values missing: %(count)d. Use --reason.")
                % {
                    "departments": ", ".join(r.submission.department.code for r in missing.departments) or "—",
                    "count": missing.missing_values,
                }
            ) from None
        self.stdout.write(
            _("Published the %(year)s evaluation as version %(version)d (method %(method)s).")
            % {"year": year, "version": snapshot.version, "method": snapshot.method_version}
        )
