"""Building a report: find the published snapshot, turn it into content, write Word and PDF.

Others call this (the report jobs, the command line); keep the signatures. A report is always built
from one published snapshot and says which; the same snapshot gives the same figures, and the same
Word file byte for byte.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from childfirst.evaluation.models import Snapshot
from childfirst.plans.models import Plan

from .content import KIND_TITLES, Facts, ReportContent

KINDS = ("annual", "midterm", "final")
KIND_NAMES = {
    "annual": gettext_lazy("annual monitoring report"),
    "midterm": gettext_lazy("mid-term evaluation"),
    "final": gettext_lazy("final evaluation"),
}
DOCUMENT_LANGUAGE = "zh-hans"  # the documents are Chinese by design, whoever asks for them

Progress = Callable[[int, str], None]


class ReportUnavailable(Exception):
    """The report cannot be built; str() is the reason, translated, for the user."""


def default_year(plan: Plan, kind: str) -> int:
    """The year a report is usually about: the middle of the plan for the mid-term evaluation, its last
    year for the final one, the last year before the current one for an annual report."""
    if kind == "midterm":
        return plan.start_year + (plan.end_year - plan.start_year) // 2
    if kind == "final":
        return plan.end_year
    return min(max(timezone.localdate().year - 1, plan.start_year), plan.end_year)


def snapshot_for(plan: Plan, kind: str, year: int, version: int | None = None) -> Snapshot:
    """The published snapshot a report of `kind` for `year` is built from: the newest version unless
    `version` is given. Raises ReportUnavailable with the reason when there is none."""
    if kind not in KINDS:
        raise ReportUnavailable(
            _("Unknown kind of report: %(kind)s. Choose annual, midterm or final.") % {"kind": kind}
        )
    if not plan.start_year <= year <= plan.end_year:
        raise ReportUnavailable(
            _("%(year)s is outside the plan's years (%(start)s–%(end)s).")
            % {"year": year, "start": plan.start_year, "end": plan.end_year}
        )
    snapshots = Snapshot.objects.filter(plan=plan, year=year).select_related("plan__area")
    if version is not None:
        snapshot = snapshots.filter(version=version).first()
        if snapshot is None:
            raise ReportUnavailable(
                _("The %(year)s evaluation has no published version %(version)s.") % {"year": year, "version": version}
            )
        return snapshot
    snapshot = snapshots.order_by("-version").first()
    if snapshot is None:
        raise ReportUnavailable(
            _(
                "The %(year)s evaluation has not been published, so the %(report)s cannot be built. "
                "Publish it first (Evaluation → Published evaluations, or: childfirst publish --year %(year)s)."
            )
            % {"year": year, "report": KIND_NAMES[kind]}
        )
    return snapshot


def report_title(kind: str, year: int) -> str:
    return f"{year}{KIND_TITLES[kind]}" if kind == "annual" else KIND_TITLES[kind]


def report_filename(kind: str, snapshot: Snapshot) -> str:
    """The file name stem, e.g. "<plan name>2024年度监测报告-v1" (no characters a file
    system or a download header would refuse)."""
    plan_name = re.sub(r"[\\/:*?\"<>|“”‘’「」'\s]", "", snapshot.plan.name)
    middle = f"{snapshot.year}{KIND_TITLES[kind]}" if kind == "annual" else f"{snapshot.year}年{KIND_TITLES[kind]}"
    return f"{plan_name}{middle}-v{snapshot.version}"


def report_content(kind: str, snapshot: Snapshot) -> ReportContent:
    """The report as content (Chinese), ready for either writer."""
    from .content_annual import annual_sections
    from .content_evaluation import evaluation_sections

    if kind not in KINDS:
        raise ReportUnavailable(
            _("Unknown kind of report: %(kind)s. Choose annual, midterm or final.") % {"kind": kind}
        )
    with translation.override(DOCUMENT_LANGUAGE):
        facts = Facts(snapshot)
        sections = annual_sections(facts) if kind == "annual" else evaluation_sections(facts, kind)
        published = timezone.localtime(snapshot.published_at)
        content = ReportContent(
            kind=kind,
            plan_name=snapshot.plan.name,
            report_title=report_title(kind, snapshot.year),
            year=snapshot.year,
            office=facts.office(),
            version_line=facts.version_line(kind),
            date_line=f"{published.year}年{published.month}月",
            published_at=snapshot.published_at,
            snapshot_version=snapshot.version,
            method_version=snapshot.method_version,
            sections=sections,
        )
        content.number_figures()
        return content


def build_report(kind: str, snapshot: Snapshot, out_dir: Path, progress: Progress | None = None) -> tuple[Path, Path]:
    """Write the Word and PDF files of the report into `out_dir`; returns (docx, pdf). `progress` gets
    (percent, step) as it goes, the step in the caller's language."""
    from .docx_writer import write_docx
    from .pdf_writer import write_pdf

    language = translation.get_language()

    def step(percent: int, message) -> None:
        if progress is not None:
            with translation.override(language):
                progress(percent, str(message))

    step(5, gettext_lazy("Reading the published evaluation"))
    content = report_content(kind, snapshot)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = report_filename(kind, snapshot)
    docx_path, pdf_path = out_dir / f"{stem}.docx", out_dir / f"{stem}.pdf"
    step(40, gettext_lazy("Writing the Word document"))
    with translation.override(DOCUMENT_LANGUAGE):
        _write_atomically(docx_path, write_docx(content))
        step(60, gettext_lazy("Writing the PDF (pages and fonts)"))
        _write_atomically(pdf_path, write_pdf(content))
    step(100, gettext_lazy("Done"))
    return docx_path, pdf_path


def _write_atomically(path: Path, data: bytes) -> None:
    """A half-written file never stands under the report's name."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    partial.write_bytes(data)
    partial.replace(path)
