"""The demo's second plan: a made-up successor of the 2021–2025 plan (demo/data/demo-lucheng-2026-2030.yaml,
a draft marked synthetic) and its first round, opened with a few departments' drafts started.

The drafts' figures carry on the 2021–2025 demo curves (values.py): a continuing indicator's 2026
figure is drawn as the earlier plan's indicator would have been, a year after its last; a new one
from its own target. They go in through the normal actions (save_values as the system), so they
have history and audit rows. Idempotent: a round that exists is left as it is."""

from __future__ import annotations

import datetime

from django.db import transaction

from childfirst.collection.actions import do_open_round, save_values
from childfirst.collection.models import Channel, ReportingRound
from childfirst.collection.scope import expected_for
from childfirst.plans.models import Plan

from .values import SOURCE_NOTE, demo_cell, explain_warnings


@transaction.atomic
def load_next_round(plan: Plan, year: int, deadline: datetime.date, drafts: list[str]) -> dict[str, int]:
    """Open `plan`'s round of `year` and start the `drafts` departments' entries (about half of their
    indicators each); nothing when the round exists."""
    if ReportingRound.objects.filter(plan=plan, year=year).exists():
        return {"next_rounds_created": 0, "next_values_created": 0}
    reporting_round = do_open_round(None, plan, year, deadline)
    created = 0
    for submission in reporting_round.submissions.select_related("round__plan", "department").filter(
        department__code__in=drafts
    ):
        expected = expected_for(plan, year, submission.department)
        codes = [i.code for i in expected.indicators][: max(1, len(expected.indicators) // 2)]
        cells = []
        for indicator, area in expected.cells():
            if indicator.code not in codes or expected.carried_for(indicator, area):
                continue
            earlier = indicator.continues
            if earlier is not None:  # the earlier plan's curve, one year on
                cell = demo_cell(earlier, area, year, earlier.plan, expected.streets)
                cell.indicator = indicator.code
            else:
                cell = demo_cell(indicator, area, year, plan, expected.streets)
            cell.source_note = SOURCE_NOTE
            cells.append(cell)
        explain_warnings(submission, expected, cells)
        created += save_values(None, submission, cells, channel=Channel.SYSTEM).created
    return {"next_rounds_created": 1, "next_values_created": created}
