from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from childfirst.migrating import ensure_migrated
from childfirst.web.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write one consistent archive of the whole database (and any files under MEDIA_ROOT) to FILE, "
        "with a manifest of row counts and checksums. The registry key is never in it: keep it apart."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="the archive to write (.tar.gz); must not exist")

    def handle(self, *args: Any, out: Path, **options: Any) -> None:
        ensure_migrated()
        try:
            manifest = backup(out, progress=self.stderr.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            _("Backup written to %(path)s: %(tables)d tables, %(rows)d rows.")
            % {"path": out, "tables": len(manifest["tables"]), "rows": rows}
        )
