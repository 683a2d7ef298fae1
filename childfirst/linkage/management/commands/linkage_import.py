from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.accounts.models import User
from childfirst.linkage.importing import district_of, import_file
from childfirst.linkage.models import JobState
from childfirst.linkage.sources import sources
from childfirst.migrating import ensure_migrated


class Command(BaseCommand):
    help = (
        "Import a department list (CSV or XLSX; UTF-8 or GBK) as the source's snapshot as of a date: all rows or "
        "none. Rows that cannot be read are listed by row and column."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source", required=True, help="the list's key in data/sources.yaml: " + ", ".join(sources())
        )
        parser.add_argument("file", type=Path, help="the CSV or XLSX file")
        parser.add_argument("--as-of", default=None, help="the date the list was drawn up, YYYY-MM-DD (default: today)")
        parser.add_argument("--user", default=None, help="the office user importing it (for the audit log)")
        parser.add_argument("--district", default=None, help="the district's code, when the area tree has several")

    def handle(
        self,
        *args: Any,
        source: str,
        file: Path,
        as_of: str | None,
        user: str | None,
        district: str | None,
        **options: Any,
    ) -> None:
        ensure_migrated()
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(_("--as-of must be a date written YYYY-MM-DD.")) from None
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(_("There is no active user %(user)s.") % {"user": user})
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s") % {"file": file, "reason": error.strerror}
            ) from None
        try:
            area = district_of(actor, district)
            result = import_file(actor, source, file.name, content, as_of=day, district=area)
        except (ValidationError, PermissionDenied) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from None
        if result.state != JobState.DONE:
            for problem in result.problems:
                where = _("row %(row)s") % {"row": problem["row"]} if problem["row"] else _("file")
                column = f" [{problem['column']}]" if problem["column"] else ""
                self.stderr.write(f"{where}{column}: {problem['reason']}")
            raise CommandError(_("Nothing was imported (import %(id)d).") % {"id": result.pk})
        self.stdout.write(
            _(
                "Imported %(rows)d rows of %(source)s as of %(as_of)s (import %(id)d, %(encoding)s; "
                "%(repaired)d rows repaired)."
            )
            % {
                "rows": result.rows_imported,
                "source": source,
                "as_of": result.as_of.isoformat(),
                "id": result.pk,
                "encoding": result.encoding,
                "repaired": result.rows_repaired,
            }
        )
        for warning in result.warnings:
            self.stdout.write(f"  {warning['column']}: {warning['reason']} × {warning['rows']}")
        changes = result.changes
        if changes.get("previous"):
            self.stdout.write(
                _("Since the list of %(date)s: %(appeared)d appeared, %(moved)d changed address, %(gone)d disappeared.")
                % {
                    "date": changes["previous_as_of"],
                    "appeared": changes["appeared"]["count"],
                    "moved": changes["changed_address"]["count"],
                    "gone": changes["disappeared"]["count"],
                }
            )
