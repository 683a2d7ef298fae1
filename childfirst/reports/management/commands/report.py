from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from childfirst.migrating import ensure_migrated
from childfirst.plans.commands import plan_from_option
from childfirst.plans.models import Plan
from childfirst.reports.build import KINDS, ReportUnavailable, build_report, default_year, snapshot_for


class Command(BaseCommand):
    help = (
        "Write the annual monitoring report, the mid-term or the final evaluation of a published evaluation "
        "as Word and PDF files into a directory; or (implementation) the compilation of the departments' "
        "implementation reports of a year."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # `--version N` is the snapshot's version, as the design names it, not Django's own version flag.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=(*KINDS, "implementation"))
        parser.add_argument("--year", type=int, help="evaluation year (mid-term and final: the plan's own by default)")
        parser.add_argument("--out", required=True, help="directory for the two files (created if missing)")
        parser.add_argument("--version", dest="snapshot_version", type=int, help="snapshot version (default: latest)")
        parser.add_argument("--plan", help="plan code (without it: the only plan loaded)")

    def handle(self, *args: Any, kind: str, **options: Any) -> None:
        ensure_migrated()
        plan = plan_from_option(options["plan"])
        year = options["year"]
        if kind == "implementation":
            self._implementation(plan, year, options)
            return
        if year is None:
            if kind == "annual":
                raise CommandError(_("Give the year of the annual report: --year Y"))
            year = default_year(plan, kind)
        try:
            snapshot = snapshot_for(plan, kind, year, options["snapshot_version"])
            verbose = options["verbosity"] >= 2
            paths = build_report(
                kind,
                snapshot,
                Path(options["out"]),
                (lambda percent, step: self.stderr.write(f"{percent:3d}% {step}")) if verbose else None,
            )
        except ReportUnavailable as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(
                _("Cannot write into %(directory)s: %(reason)s") % {"directory": options["out"], "reason": exc.strerror}
            ) from None
        for path in paths:
            self.stdout.write(str(path))

    def _implementation(self, plan: Plan, year: int | None, options: dict[str, Any]) -> None:
        """The year's compilation of every department's implementation report (accepted ones in full)."""
        from childfirst.reports.content_implementation import build_compilation

        if year is None:
            raise CommandError(_("Give the year of the compilation: --year Y"))
        if not plan.start_year <= year <= plan.end_year:
            raise CommandError(
                _("%(year)s is outside the plan's years (%(start)s–%(end)s).")
                % {"year": year, "start": plan.start_year, "end": plan.end_year}
            )
        try:
            paths = build_compilation(plan, year, Path(options["out"]))
        except OSError as exc:
            raise CommandError(
                _("Cannot write into %(directory)s: %(reason)s") % {"directory": options["out"], "reason": exc.strerror}
            ) from None
        for path in paths:
            self.stdout.write(str(path))
