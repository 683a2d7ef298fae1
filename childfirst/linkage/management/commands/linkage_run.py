from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from childfirst.linkage.run import execute_run, queue_run
from childfirst.migrating import ensure_migrated


class Command(BaseCommand):
    help = (
        "Link every current department list into the person index (exact on a valid ID number, then the "
        "probabilistic matcher), attach the registry's files and queue undecided pairs for clerical review. "
        "Running it again on the same lists changes nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_migrated()
        started = time.monotonic()
        run = execute_run(queue_run("link").pk)
        counts = run.counts
        self.stdout.write(
            _(
                "%(records)d records of the current lists → %(persons)d persons (%(new)d new); files attached: "
                "%(by_id)d by ID number, %(by_match)d by the matcher; %(pending)d pairs await review (%(took).1f s)."
            )
            % {
                "records": counts.get("records", 0),
                "persons": counts.get("persons", 0),
                "new": counts.get("persons_new", 0),
                "by_id": counts.get("files_by_id", 0),
                "by_match": counts.get("files_by_match", 0),
                "pending": counts.get("reviews_pending", 0),
                "took": time.monotonic() - started,
            }
        )
