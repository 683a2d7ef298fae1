"""The report as PDF: the same content the Word file is written from, typeset by Typst
(typst/report.typ through childfirst/typesetting.py), A4, with the Noto CJK SC fonts embedded
(subset), a contents page with page numbers and numbered pages after the cover.

The content goes to the template as JSON and every text is placed as text, so nothing in a plan,
an indicator name or an assessment can act as markup. Charts are the same PNGs as in the Word file,
handed to the compiler as files of its private root, and nothing else may be read: no file outside
it, no network. The PDF's date is the snapshot's publication time and nothing else varies, so
rebuilding the same snapshot gives the same file byte for byte.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from childfirst import typesetting

from .content import Chart, Paragraph, ReportContent, Section, Table

TEMPLATE = Path(__file__).resolve().parent / "typst" / "report.typ"


def _block(block: Any, charts: dict[str, bytes]) -> dict[str, Any]:
    if isinstance(block, Section):
        return {
            "kind": "section",
            "title": block.title,
            "level": block.level,
            "page_break": block.page_break,
            "blocks": [_block(b, charts) for b in block.blocks],
        }
    if isinstance(block, Paragraph):
        return {"kind": "paragraph", "text": block.text, "style": block.style}
    if isinstance(block, Table):
        return {
            "kind": "table",
            "label": block.label,
            "header": block.header,
            "rows": [[str(cell) for cell in row] for row in block.rows],
            "widths": block.column_percents,
            "align": block.align,
            "small": block.small,
        }
    if isinstance(block, Chart):
        name = f"chart-{block.number}.png"
        charts[name] = block.png
        return {
            "kind": "chart",
            "label": block.label,
            "caption": block.caption,
            "file": name,
            "width_cm": block.display_width,
        }
    raise TypeError(f"a report holds sections, paragraphs, tables and charts, not {type(block).__name__}")


def report_data(content: ReportContent) -> tuple[dict[str, Any], dict[str, bytes]]:
    """What the template reads (JSON-ready) and the chart files it refers to."""
    charts: dict[str, bytes] = {}
    # Typst's datetime has no zone; the PDF's dates are written as UTC, so it is given UTC.
    published = content.published_at.astimezone(datetime.UTC)
    data = {
        "title": content.title,
        "kind": content.kind,
        "plan_name": content.plan_name,
        "report_title": content.report_title,
        "year": content.year,
        "office": content.office,
        "date_line": content.date_line,
        "version_line": content.version_line,
        "keywords": ["评估快照", str(content.year), f"v{content.snapshot_version}"],
        "published": [
            published.year,
            published.month,
            published.day,
            published.hour,
            published.minute,
            published.second,
        ],
        "sections": [_block(section, charts) for section in content.sections],
    }
    return data, charts


def write_pdf(content: ReportContent) -> bytes:
    data, charts = report_data(content)
    return typesetting.template(str(TEMPLATE)).render(data, charts)
