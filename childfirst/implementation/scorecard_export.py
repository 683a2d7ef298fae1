"""The scorecard as an Excel workbook for the government's assessment: a summary sheet (one row per
department: total and each part's score), a sheet of parts (per department and part: weight, the
inputs, the computation as text, the score) and the weights used. Every figure is a value, never a
formula, and every cell goes through childfirst/spreadsheet.py, so a name cannot become a formula."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from childfirst.spreadsheet import append_row

from .scorecard import PART_KEYS, PART_NAMES
from .scorecard_inputs import Gathered


def source_text(gathered: Gathered) -> str:
    """Where the statuses and the data figures come from, for the page and the workbook."""
    snapshot = gathered.snapshot
    if snapshot is not None:
        return _(
            "Indicator statuses and data reporting: the published %(year)s evaluation, version %(version)s (%(date)s)."
        ) % {
            "year": snapshot.year,
            "version": snapshot.version,
            "date": timezone.localdate(snapshot.published_at).isoformat(),
        }
    return _(
        "Indicator statuses and data reporting: the live evaluation of the accepted data and the round as it "
        "stands (the %(year)s evaluation is not published)."
    ) % {"year": gathered.year}


def weights_text(gathered: Gathered) -> str:
    upload = gathered.weights.uploaded
    if upload is None:
        return _("Weights: the default file %(name)s (SHA-256 %(sha)s).") % {
            "name": gathered.weights.name,
            "sha": gathered.weights.sha256[:12],
        }
    return _("Weights: %(name)s, uploaded %(date)s by %(user)s (SHA-256 %(sha)s).") % {
        "name": upload.name,
        "date": timezone.localtime(upload.uploaded_at).strftime("%Y-%m-%d %H:%M"),
        "user": upload.uploaded_by.get_username(),
        "sha": upload.sha256[:12],
    }


def _number(value: Decimal | None) -> float | str:
    return float(value) if value is not None else "—"


def scorecard_workbook(gathered: Gathered) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    summary.title = _("Summary")[:31]
    title = _("Departments' yearly assessment %(year)s · %(plan)s") % {
        "year": gathered.year,
        "plan": gathered.plan.display_name,
    }
    append_row(summary, [title])
    summary["A1"].font = Font(bold=True, size=13)
    append_row(summary, [source_text(gathered)])
    append_row(summary, [weights_text(gathered)])
    append_row(summary, [_("Recommendations counted as of %(date)s.") % {"date": gathered.as_of.isoformat()}])
    append_row(summary, [])
    weights = gathered.weights.weights.parts
    header = [_("Rank"), _("Department code"), _("Department"), _("Total")]
    header += [f"{PART_NAMES[k]} ({_('weight')} {getattr(weights, k).normalize():f})" for k in PART_KEYS]
    header.append(_("How the total is computed"))
    append_row(summary, header)
    for cell in summary[summary.max_row]:
        cell.font = Font(bold=True)
    for rank, card in enumerate(gathered.cards, 1):
        append_row(
            summary,
            [
                rank if card.total is not None else "—",
                card.department_code,
                card.department_name,
                _number(card.total),
                *[_number(p.score) for p in card.parts],
                card.total_formula,
            ],
        )
    summary.column_dimensions["C"].width = 24
    summary.column_dimensions["I"].width = 60

    parts = workbook.create_sheet(_("Parts")[:31])
    append_row(
        parts,
        [
            _("Department code"),
            _("Department"),
            _("Part"),
            _("Weight"),
            _("Inputs"),
            _("How the score is computed"),
            _("Score"),
            _("Weighted (weight × score)"),
        ],
    )
    for cell in parts[1]:
        cell.font = Font(bold=True)
    for card in gathered.cards:
        for part in card.parts:
            append_row(
                parts,
                [
                    card.department_code,
                    card.department_name,
                    part.name,
                    float(part.weight),
                    "\n".join(part.lines),
                    part.formula,
                    _number(part.score),
                    float(part.weight * part.score) if part.score is not None else "—",
                ],
            )
            parts.cell(parts.max_row, 5).alignment = Alignment(wrap_text=True, vertical="top")
        append_row(
            parts,
            [
                card.department_code,
                card.department_name,
                _("Total"),
                "",
                "",
                card.total_formula,
                _number(card.total),
                "",
            ],
        )
        parts.cell(parts.max_row, 3).font = Font(bold=True)
    for column, width in zip("ABCDEFGH", (14, 22, 16, 8, 60, 44, 10, 14), strict=True):
        parts.column_dimensions[column].width = width

    used = workbook.create_sheet(_("Weights")[:31])
    append_row(used, [weights_text(gathered)])
    for line in gathered.weights.raw.decode("utf-8-sig").splitlines():
        append_row(used, [line])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
