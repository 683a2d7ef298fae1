"""Time to build the 2024 annual monitoring report (Word and PDF, all charts) on the demo data
(prints figures; not a test). Target: under 20 s for both files.

Loads the demo into a fresh SQLite file under a temporary directory (the demo publishes 2021–2024),
then builds the report `--runs` times, timing each step: reading the snapshot and drawing the charts
(content), writing the Word file, laying out and writing the PDF. Prints the median of each step,
the files' sizes and pages, and the machine.

    .venv/bin/python bench/bench_reports.py [--runs 3] [--kind annual|midterm|final] [--year 2024]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.calibrate import calibrated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kind", default="annual", choices=["annual", "midterm", "final"])
    parser.add_argument("--year", type=int, default=2024)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="childfirst-bench-")
    os.environ.setdefault("CHILDFIRST_VAR_DIR", work)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "childfirst.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from pypdf import PdfReader

    from childfirst.demo.load import load_demo
    from childfirst.migrating import ensure_migrated
    from childfirst.plans.models import Plan
    from childfirst.reports.build import build_report, report_content, report_filename, snapshot_for
    from childfirst.reports.content import Chart, Table
    from childfirst.reports.docx_writer import write_docx
    from childfirst.reports.pdf_writer import write_pdf

    ensure_migrated()
    started = time.perf_counter()
    load_demo()
    print(f"demo loaded in {time.perf_counter() - started:.1f} s")
    plan = Plan.objects.get(code="lucheng-2021-2025")
    snapshot = snapshot_for(plan, args.kind, args.year)
    out = Path(work) / "out"

    # Once through the public entry point, as the report jobs and the command line call it.
    started = time.perf_counter()
    docx_path, pdf_path = build_report(args.kind, snapshot, out)
    whole = time.perf_counter() - started
    print(f"build_report ({report_filename(args.kind, snapshot)}): {whole:.2f} s")

    # Wall clock and this process's CPU time: on a shared machine the second shows the work itself.
    steps: dict[str, list[tuple[float, float]]] = {
        "content (snapshot + charts)": [],
        "Word": [],
        "PDF": [],
        "total": [],
    }
    for _ in range(args.runs):
        marks = [(time.perf_counter(), time.process_time())]
        content = report_content(args.kind, snapshot)
        marks.append((time.perf_counter(), time.process_time()))
        docx = write_docx(content)
        marks.append((time.perf_counter(), time.process_time()))
        pdf = write_pdf(content)
        marks.append((time.perf_counter(), time.process_time()))
        spans = [(b[0] - a[0], b[1] - a[1]) for a, b in pairwise(marks)]
        spans.append((marks[-1][0] - marks[0][0], marks[-1][1] - marks[0][1]))
        for name, span in zip(steps, spans, strict=True):
            steps[name].append(span)
    blocks = list(content.walk())
    tables = [b for b in blocks if isinstance(b, Table)]
    print(
        f"content: {sum(isinstance(b, Chart) for b in blocks)} charts, {len(tables)} tables, "
        f"{sum(len(t.rows) for t in tables)} table rows"
    )
    print(f"Word {len(docx) / 1e6:.2f} MB (same bytes as build_report: {docx == docx_path.read_bytes()})")
    print(f"PDF {len(pdf) / 1e6:.2f} MB, {len(PdfReader(pdf_path).pages)} pages")
    for name, spans in steps.items():
        wall, cpu = [w for w, _c in spans], [c for _w, c in spans]
        print(
            f"{name:<28} wall median {statistics.median(wall):6.2f} s  min {min(wall):6.2f} s   "
            f"CPU median {statistics.median(cpu):6.2f} s"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    load = os.getloadavg()[0]
    print(f"peak RSS {peak:.0f} MB; load average at the end {load:.1f}")
    print(
        f"machine: {os.cpu_count()} CPU ({cpu}), Python {platform.python_version()}, "
        f"database {connection.vendor} ({settings.DATABASES['default']['NAME']}); {args.runs} runs"
    )


if __name__ == "__main__":
    with calibrated():  # the machine's speed before and after (bench/calibrate.py)
        main()
