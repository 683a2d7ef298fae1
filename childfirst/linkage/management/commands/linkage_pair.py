from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from childfirst.linkage.pairing import pair_files, write_links
from childfirst.linkage.reading import ListFileError


class Command(BaseCommand):
    help = (
        "Compare two lists (CSV in UTF-8 or GBK, or XLSX) whose columns are recognised by their headers, and write "
        "LINKS.csv with left_id,right_id,match_probability,decision (match or review; each right record in at most "
        "one match). The first column is each record's id unless --id names another. Uses no database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("left", help="the first list (CSV or XLSX)")
        parser.add_argument("right", help="the second list (CSV or XLSX)")
        parser.add_argument("--out", required=True, help="the links file to write (CSV)")
        parser.add_argument("--id", dest="id_column", help="the column holding each record's own id")

    def handle(self, *args: Any, **options: Any) -> None:
        start = time.perf_counter()
        try:
            result = pair_files(options["left"], options["right"], id_column=options["id_column"])
            write_links(result, options["out"])
        except ListFileError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s (%(reason)s).") % {"file": options["out"], "reason": error.strerror}
            ) from None
        self.stdout.write(
            _(
                "Left list: %(left)s records; right list: %(right)s records. Matches: %(matches)s; for review: "
                "%(reviews)s. Time: %(seconds).1f s."
            )
            % {
                "left": result.left_rows,
                "right": result.right_rows,
                "matches": result.matches,
                "reviews": result.reviews,
                "seconds": time.perf_counter() - start,
            }
        )
