from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from childfirst.web.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by `childfirst backup` into an empty database (DATABASE_URL), in one "
        "transaction, verified table by table against the archive's checksums. ID numbers can be read "
        "afterwards only with the same registry key (CHILDFIRST_REGISTRY_KEY) as the backed-up system."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the archive (.tar.gz)")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            manifest = restore(file, progress=self.stderr.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            _("Restored %(tables)d tables, %(rows)d rows, from the backup of %(created)s; every table verified.")
            % {"tables": len(manifest["tables"]), "rows": rows, "created": manifest["created_at"]}
        )
