from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, DjangoHelpFormatter
from django.utils.translation import gettext as _

from childfirst.collection.export import COLUMN_HELP, NoRound, export_rows, write_csv
from childfirst.migrating import ensure_migrated
from childfirst.plans.commands import plan_from_option


class HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Keeps the column list below as written."""


COLUMNS_EPILOG = "columns (one row per indicator × area; UTF-8 with a byte-order mark, for Excel):\n" + "\n".join(
    f"  {name:<15} {text}" for name, text in COLUMN_HELP.items()
)


class Command(BaseCommand):
    help = (
        "Write one year's data values as CSV: every stored value of the year's reporting round and the "
        "district totals derived from per-street values (marked derived=yes). Figures and provenance only; "
        "no comments, no user names, no personal data."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs.setdefault("epilog", COLUMNS_EPILOG)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="the data year, e.g. 2024")
        parser.add_argument("--out", required=True, help="the CSV file to write")
        parser.add_argument("--plan", help="plan code (without it: the only plan loaded)")

    def handle(self, *args: Any, year: int, out: str, plan: str | None, **options: Any) -> None:
        ensure_migrated()
        chosen = plan_from_option(plan)
        try:
            rows = export_rows(chosen, year)
        except NoRound as exc:
            raise CommandError(str(exc)) from None
        # Written beside the target and moved into place, so a failure never leaves half a file.
        target = Path(out)
        partial = target.with_name(target.name + ".partial")
        with partial.open("w", encoding="utf-8", newline="") as stream:
            count = write_csv(rows, stream)
        partial.replace(target)
        self.stdout.write(
            _("Wrote %(count)d rows for %(year)s to %(file)s.") % {"count": count, "year": year, "file": target}
        )
