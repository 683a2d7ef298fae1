from __future__ import annotations

import ctypes
import logging
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.core.wsgi import get_wsgi_application
from django.utils.translation import gettext as _

from childfirst.migrating import ensure_migrated

WORKER_GRACE_SECONDS = 10
WORKER_CHECK_SECONDS = 5
logger = logging.getLogger(__name__)


_prctl: Callable[..., int] | None
try:
    # Looked up here, not in the child: between fork and exec only the call itself is safe.
    _prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
except (OSError, AttributeError):
    _prctl = None


def _die_with_parent() -> None:
    """In the worker, before it starts: on Linux, be sent SIGTERM if `serve` dies without stopping it
    (killed with -9), so that no orphaned worker keeps running."""
    if _prctl is not None:
        _prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Worker:
    """The huey consumer (`childfirst run_huey`) that runs long jobs such as report generation, as a
    child process; started again if it dies (say, out of memory on a large report), so that the jobs
    queued after it still run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.process = self._start()
        threading.Thread(target=self._watch, name="worker-watch", daemon=True).start()

    @staticmethod
    def _start() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "childfirst", "run_huey"], preexec_fn=_die_with_parent)

    def _watch(self) -> None:
        while not self._stopping.wait(WORKER_CHECK_SECONDS):
            with self._lock:
                if self._stopping.is_set() or self.process.poll() is None:
                    continue
                logger.warning("the report worker exited (code %s); starting it again", self.process.returncode)
                self.process = self._start()

    def stop(self) -> None:
        """Let the worker finish the job in hand (SIGINT is huey's graceful stop), then insist."""
        self._stopping.set()
        with self._lock:
            worker = self.process
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
        worker = None if no_worker or settings.HUEY.get("immediate") else Worker()
        signal.signal(signal.SIGTERM, _exit)
        try:
            shown = f"[{host}]" if ":" in host else host
            self.stdout.write(
                _("ChildFirst is serving on http://%(host)s:%(port)d/ (Ctrl-C stops it)")
                % {"host": shown, "port": port}
            )
            if worker is not None:
                self.stdout.write(_("Report worker started (process %(pid)d).") % {"pid": worker.process.pid})
            self.stdout.flush()
            waitress.serve(get_wsgi_application(), host=host, port=port, threads=threads, ident="childfirst")
        finally:
            if worker is not None:
                worker.stop()
