"""Time the PDFs (issue 13, item 10): one contact card, a batch of 64 cards, and the 2024 annual
report (Word + PDF) through the command line end to end (prints figures; not a test).

Targets on this machine: one card under 300 ms (warm process), 64 cards under 1.5 s, the annual
report from `childfirst report annual --year 2024` under 5 s end to end; identical output for
identical data.

Loads the demo into a fresh SQLite file under a temporary directory (or reuses `--var DIR` from an
earlier `--keep`), then measures:

- one card: the PDF alone, cold (the first in the process: loads the engine and scans the fonts)
  and warm (median of `--runs`); and from the web, a director's POST to the card's URL through
  Django's whole stack (session, access rule, access-log row), warm;
- 64 cards: the PDF alone, and the whole batch job (cards built from the database, PDF, one
  access-log row per child, progress on the job row);
- the annual report: `childfirst report annual --year 2024 --out DIR` in a new process, wall clock
  from start to exit (median of `--runs`), and inside one process the steps: content (snapshot,
  charts), Word, PDF; then whether two builds of the same snapshot are byte-identical.

    .venv/bin/python bench/bench_pdf.py [--runs 5] [--var DIR] [--keep]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.calibrate import calibrated  # noqa: E402 (after the path that finds it)


def timed(call: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def median_ms(spans: list[float]) -> str:
    return f"median {1000 * statistics.median(spans):7.1f} ms  min {1000 * min(spans):7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--var", help="a var directory (the demo is loaded into it unless there already)")
    parser.add_argument("--keep", action="store_true", help="keep the var directory (printed) for --var")
    args = parser.parse_args()
    work = args.var or tempfile.mkdtemp(prefix="childfirst-bench-pdf-")
    os.environ["CHILDFIRST_VAR_DIR"] = work
    os.environ.setdefault("CHILDFIRST_HTTPS", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "childfirst.settings")
    os.environ.setdefault("CHILDFIRST_TASKS_IMMEDIATE", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from childfirst.accounts.models import User
    from childfirst.migrating import ensure_migrated
    from childfirst.plans.models import Plan
    from childfirst.registry.cards import printing as cards
    from childfirst.registry.models import Child

    ensure_migrated()
    if not Plan.objects.filter(code="lucheng-2021-2025").exists():
        from childfirst.demo.load import load_demo

        seconds, _counts = timed(load_demo)
        print(f"demo loaded in {seconds:.1f} s into {work}")

    director = User.objects.get(username="demo-director")
    assert director.area is not None
    children = list(
        Child.objects.visible_to(director)
        .active()
        .filter(residence_area=director.area)
        .select_related("residence_area")
        .order_by("name_pinyin", "pk")
    )
    district = list(Child.objects.active().select_related("residence_area").order_by("pk")[:64])
    if len(district) < 64:
        sys.exit(f"the demo has {len(district)} active children; 64 are needed")
    print(f"data: demo, {Child.objects.count()} children on file; {director.area.name}: {len(children)} active")

    # --- one card -----------------------------------------------------------------------------------
    one = cards.build_cards(children[:1])
    cold, _pdf = timed(lambda: cards.render_pdf(one))
    warm = [timed(lambda: cards.render_pdf(one))[0] for _ in range(args.runs)]
    # Another child each time, so that no compiler cache answers for an unchanged document.
    others = [cards.build_cards([c]) for c in district[: args.runs]]
    warm_other = [timed(lambda card=card: cards.render_pdf(card))[0] for card in others]
    print(f"one card, PDF only: cold (first in process) {1000 * cold:.0f} ms")
    print(f"one card, PDF only, warm, same card        {median_ms(warm)}")
    print(f"one card, PDF only, warm, another child     {median_ms(warm_other)}")

    client = Client(HTTP_HOST="127.0.0.1")  # an allowed host: the whole stack runs as in production
    client.force_login(director)
    web = []
    for child in children[: args.runs]:
        seconds, response = timed(
            lambda child=child: client.post(f"/registry/children/{child.pk}/card.pdf", {"purpose": "性能测试"})
        )
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf", response.status_code
        web.append(seconds)
    print(f"one card from the web (POST, warm)          {median_ms(web)}")

    # --- 64 cards -----------------------------------------------------------------------------------
    built = cards.build_cards(district)
    batch_pdf = [timed(lambda: cards.render_pdf(built))[0] for _ in range(args.runs)]
    print(f"64 cards, PDF only (8 pages)                {median_ms(batch_pdf)}")
    from childfirst.registry.cards.actions import do_request_batch
    from childfirst.registry.cards.tasks import run_card_batch

    community = director.area
    if len(children) >= 64:
        job_spans = []
        for _ in range(args.runs):
            job = do_request_batch(director, community, "性能测试", limit=64, enqueue=False)
            job_spans.append(timed(lambda job=job: run_card_batch(job.pk))[0])
        print(f"64 cards, background job (DB, PDF, log)     {median_ms(job_spans)}")
    else:
        print(f"64 cards, background job: skipped ({community.name} has {len(children)} children)")

    # --- the annual report --------------------------------------------------------------------------
    from childfirst.reports.build import report_content, snapshot_for
    from childfirst.reports.docx_writer import write_docx
    from childfirst.reports.pdf_writer import write_pdf

    plan = Plan.objects.get(code="lucheng-2021-2025")
    snapshot = snapshot_for(plan, "annual", 2024)
    executable = shutil.which("childfirst", path=str(Path(sys.executable).parent)) or "childfirst"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cli = []
    cli_cpu = []  # the child process's user + system time: on a shared machine the work itself
    outputs = []
    for run in range(args.runs):
        out = Path(work) / f"report-{run}"
        command = [executable, "report", "annual", "--year", "2024", "--plan", plan.code, "--out", str(out)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        seconds, done = timed(lambda command=command: subprocess.run(command, env=env, capture_output=True, text=True))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cli_cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        assert isinstance(done, subprocess.CompletedProcess)
        if done.returncode:
            sys.exit(f"childfirst report failed: {done.stderr[-2000:]}")
        cli.append(seconds)
        outputs.append(sorted(out.iterdir()))
    print(
        f"annual report 2024, CLI end to end (Word + PDF, new process): wall median {statistics.median(cli):.2f} s"
        f" min {min(cli):.2f} s; CPU median {statistics.median(cli_cpu):.2f} s min {min(cli_cpu):.2f} s"
    )
    same = all([p.read_bytes() for p in files] == [p.read_bytes() for p in outputs[0]] for files in outputs[1:])
    sizes = ", ".join(f"{p.suffix} {p.stat().st_size / 1e6:.2f} MB" for p in outputs[0])
    print(f"  files: {sizes}; every run byte-identical (Word and PDF): {same}")
    from pypdf import PdfReader

    pdf_path = next(p for p in outputs[0] if p.suffix == ".pdf")
    print(f"  PDF pages: {len(PdfReader(pdf_path).pages)}")
    steps: dict[str, list[float]] = {"content (snapshot + charts)": [], "Word": [], "PDF": []}
    for _ in range(args.runs):
        seconds, content = timed(lambda: report_content("annual", snapshot))
        steps["content (snapshot + charts)"].append(seconds)
        steps["Word"].append(timed(lambda content=content: write_docx(content))[0])
        steps["PDF"].append(timed(lambda content=content: write_pdf(content))[0])
    for name, spans in steps.items():
        print(f"  in process, {name:<28} {median_ms(spans)}")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import django"], check=True)
    python_start = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run([executable, "help"], env=env, capture_output=True, check=False)
    cli_start = time.perf_counter() - started
    print(f"  process start: python {python_start:.2f} s, `childfirst help` {cli_start:.2f} s")

    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    import typst

    print(
        f"machine: {os.cpu_count()} CPU ({cpu}), Python {platform.python_version()}, typst {typst.__version__}, "
        f"database {connection.vendor} ({settings.DATABASES['default']['NAME']}); {args.runs} runs; "
        f"load average at the end {os.getloadavg()[0]:.1f}"
    )
    if args.keep or args.var:
        print(f"var directory kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    with calibrated():  # the machine's speed before and after (bench/calibrate.py)
        main()
