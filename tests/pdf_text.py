"""The text of a PDF as poppler's `pdftotext` reads it (poppler-utils, which `scripts/setup.sh test`
installs): a real reader of the file, and ten times faster than pypdf's `extract_text`, which took
~0.15 s a page of a report (seconds for every report a test reads through)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def pdf_text(pdf: Path, *, last_page: int | None = None) -> str:
    """The text of every page of the file `pdf`, or of its first `last_page` pages."""
    pages = ["-l", str(last_page)] if last_page else []
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", *pages, str(pdf), "-"], capture_output=True, check=True)
    return done.stdout.decode()
