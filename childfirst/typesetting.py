"""PDFs through Typst (the `typst` package embeds the compiler): the reports and the contact cards.

Why Typst: it lays out a 32-page report in well under a second where WeasyPrint took 8–15 s, and a
contact card in milliseconds (figures in bench/README.md).

Data never becomes markup. A document is a fixed template (a .typ file of the app) that reads its
data with `json(bytes(sys.inputs.data))` and places every string as text, so a name such as
`#eval("x")` or `]` prints as typed and cannot run or break the template. Binary files a document
needs (the report's charts) are written to a private temporary directory that is the compilation's
root, the only place Typst may read from; there is no network and no package download.

Fonts: only the Noto CJK SC faces Debian's fonts-noto-cjk installs, found once through fontconfig
and scanned once per process (`Fonts` is shared by every compiler). Typst's own fonts and the
system's others are left out, so a missing glyph cannot fall back to a font the documents do not name.

One compiler per template and process, kept warm (it caches the parsed template and the fonts'
glyph data between documents); compiling is serialised per template by a lock, since a compiler is
not to be shared by threads at once. Output is byte-identical for identical data: no creation date
unless the template sets one from its data, and Typst's file identifier derives from the content.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import threading
import warnings
from functools import cache
from pathlib import Path
from typing import Any

import typst

FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC")


class FontMissing(RuntimeError):
    pass


class TypesettingWarning(UserWarning):
    pass


class TypesettingError(RuntimeError):
    """A template failed to compile: a bug in the template, never the user's data."""


@cache
def font_dirs() -> tuple[str, ...]:
    """The folders of the Noto CJK SC font files, from fontconfig; an error when one is missing, so
    that no document is ever printed with its Chinese text as empty boxes."""
    dirs = []
    for family in FAMILIES:
        for style in ("regular", "bold"):
            found = subprocess.run(
                ["fc-match", "--format=%{file}|%{family}", f"{family}:{style}"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            path, _sep, families = found.partition("|")
            if family not in families.split(","):
                raise FontMissing(f"{family} ({style}) not found (got {families or 'nothing'}); install fonts-noto-cjk")
            dirs.append(str(Path(path).parent))
    return tuple(sorted(set(dirs)))


@cache
def fonts() -> typst.Fonts:
    """The fonts every compiler shares, scanned once per process."""
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=list(font_dirs()))


class Template:
    """A Typst template (a .typ file) compiled with JSON data; one warm compiler per process."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._compiler: typst.Compiler | None = None
        self._source: bytes | None = None

    def _warm(self) -> tuple[typst.Compiler, bytes]:
        if self._compiler is None or self._source is None:
            self._source = self.path.read_bytes()
            self._compiler = typst.Compiler(font_paths=fonts(), ignore_system_fonts=True)
        return self._compiler, self._source

    def render(
        self, data: Any, files: dict[str, bytes] | None = None, *, format: str = "pdf", ppi: float | None = None
    ) -> bytes:
        """The PDF (or the PNG of a one-page template, at `ppi`) of the template with `data` (anything
        json.dumps takes) as `sys.inputs.data`; `files` (name → bytes) are readable by the template
        under those names."""
        payload = {"data": json.dumps(data, ensure_ascii=False, sort_keys=True)}
        with self._lock, tempfile.TemporaryDirectory(prefix="childfirst-typst-") as root:
            for name, content in (files or {}).items():
                if "/" in name or name.startswith("."):
                    raise ValueError(f"a file for the template needs a plain name, not {name[:40]!r}")
                (Path(root) / name).write_bytes(content)
            compiler, source = self._warm()
            try:
                output, problems = compiler.compile_with_warnings(
                    input=source,
                    format=format,  # type: ignore[arg-type]  # pdf or png, of the stub's Literal
                    ppi=ppi,
                    sys_inputs=payload,
                    root=root,
                )
            except typst.TypstError as exc:
                raise TypesettingError(f"{self.path.name}: {exc.message}") from exc
        for problem in problems:  # e.g. a font family not found: shown, as the report tests look for them
            warnings.warn(f"{self.path.name}: {problem.message}", TypesettingWarning, stacklevel=2)
        if not isinstance(output, bytes):  # a PNG of several pages comes as a list
            raise TypesettingError(f"{self.path.name}: made {len(output or [])} pages, one was expected")
        return output


@cache
def template(path: str) -> Template:
    """The process's one Template for `path` (an absolute path to a .typ file)."""
    return Template(Path(path))
