"""The text of a PDF as poppler's `pdftotext` reads it (poppler-utils, which `scripts/setup.sh test`
installs): a real reader of the file, and ten times faster than pypdf's `extract_text`, which took
~0.15 s a page of a report (seconds for every report a test reads through)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def pdf_text(pdf: Path | bytes, *, last_page: int | None = None) -> str:
    """The text of every page of `pdf` (a file or its bytes), or of its first `last_page` pages."""
    pages = ["-l", str(last_page)] if last_page else []
    source = pdf if isinstance(pdf, bytes) else Path(pdf).read_bytes()
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *pages, "-", "-"], input=source, capture_output=True, check=True
    )
    return done.stdout.decode()
