from __future__ import annotations

import contextlib
import ctypes
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.core.wsgi import get_wsgi_application
from django.utils.translation import gettext as _

from childfirst.migrating import ensure_migrated

WORKER_GRACE_SECONDS = 10


def _die_with_parent() -> None:
    """In the worker, before it starts: on Linux, be sent SIGTERM if `serve` dies without stopping it
    (killed with -9), so that no orphaned worker keeps running."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_worker() -> subprocess.Popen:
    """The huey consumer (`childfirst run_huey`) that runs long jobs such as report generation."""
    return subprocess.Popen([sys.executable, "-m", "childfirst", "run_huey"], preexec_fn=_die_with_parent)


def stop_worker(worker: subprocess.Popen) -> None:
    """Let the worker finish the job in hand (SIGINT is huey's graceful stop), then insist."""
    if worker.poll() is not None:
        return
    worker.send_signal(signal.SIGINT)
    try:
        worker.wait(timeout=WORKER_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        worker.terminate()
        try:
            worker.wait(timeout=5)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _exit(signum: int, frame: object) -> None:
    # Turns SIGTERM into SystemExit, which waitress answers by shutting down; `finally` then stops the worker.
    sys.exit(0)


class Command(BaseCommand):
    help = "Run the web app with a production WSGI server (waitress) and, beside it, the worker for long jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start the worker for long jobs (when workers run elsewhere: `childfirst run_huey`).",
        )

    def handle(self, *args: Any, host: str, port: int, threads: int, no_worker: bool, **options: Any) -> None:
        import waitress

        ensure_migrated()
        # In immediate mode the jobs run inside the web process: there is nothing for a worker to do.
        worker = None if no_worker or settings.HUEY.get("immediate") else start_worker()
        signal.signal(signal.SIGTERM, _exit)
        try:
            shown = f"[{host}]" if ":" in host else host
            self.stdout.write(
                _("ChildFirst is serving on http://%(host)s:%(port)d/ (Ctrl-C stops it)")
                % {"host": shown, "port": port}
            )
            if worker is not None:
                self.stdout.write(_("Report worker started (process %(pid)d).") % {"pid": worker.pid})
            self.stdout.flush()
            waitress.serve(get_wsgi_application(), host=host, port=port, threads=threads, ident="childfirst")
        finally:
            if worker is not None:
                stop_worker(worker)
