"""Charts for the Word and PDF reports, drawn by matplotlib as PNG in the reports' own CJK font.

Deterministic: fixed size and dpi, no "Software" or date metadata, Figure objects rather than
pyplot's global state (so report jobs in worker threads do not share figures). The font is the
Noto Sans CJK SC face of Debian's fonts-noto-cjk; without it every Chinese label would be tofu,
so its absence is an error, not a silent fallback.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType  # the rc keys its stubs accept; only for mypy

SANS_FAMILY = "Noto Sans CJK SC"
SERIF_FAMILY = "Noto Serif CJK SC"
DPI = 200
CM = 1 / 2.54

# Worst first, as in the evaluation pages; colours readable in greyscale print as well.
STATUS_COLOURS = {
    "not_achieved": "#8e1b1b",
    "at_risk": "#d9482b",
    "needs_acceleration": "#f0a43a",
    "insufficient_data": "#b9b9b9",
    "on_track": "#4a90c8",
    "achieved": "#2e8b57",
}


class FontMissing(RuntimeError):
    pass


@cache
def font_path(family: str = SANS_FAMILY) -> font_manager.FontPath | str:
    """The font file (and face, for a .ttc collection) matplotlib uses for `family`."""
    found = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    name = font_manager.get_font(found).family_name
    if name != family:
        raise FontMissing(f"{family} not found (got {name}); install Debian's fonts-noto-cjk")
    return found


def _figure(width_cm: float, height_cm: float, left: float, bottom: float, top: float, right: float = 0.4):
    """A figure with one axes placed by margins in cm. Margins are computed from the labels rather
    than by a layout engine, which would draw every chart twice."""
    font_path()  # fail loudly before drawing anything
    figure = Figure(figsize=(width_cm * CM, height_cm * CM), dpi=DPI)
    axes = figure.add_axes(
        (left / width_cm, bottom / height_cm, 1 - (left + right) / width_cm, 1 - (bottom + top) / height_cm)
    )
    return figure, axes


def text_width_cm(text: str, size_pt: float) -> float:
    """About how wide `text` sets in the CJK sans: a Chinese character is one em, Latin about half."""
    ems = sum(1.0 if ord(c) > 0x2E7F else 0.56 for c in text)
    return ems * size_pt / 72 * 2.54


def _style(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    ax.xaxis.label.set_size(8)


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


# matplotlib's settings and font cache are process-wide and not thread-safe: report jobs running in
# worker threads draw one chart at a time.
_drawing = threading.Lock()

RC: dict[RcKeyType, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [SANS_FAMILY],
    "axes.unicode_minus": False,
}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # percent of target reached, None: nothing to draw
    status: str
    text: str  # written at the end of the bar
    baseline: float | None = None  # percent of target reached at the baseline (evaluations)


def stacked_status(
    groups: list[str], counts: list[dict[str, int]], labels: dict[str, str], width_cm: float = 15.0
) -> bytes:
    """Horizontal stacked bars: for each group (domain, street) the number of indicators per status."""
    height = 2.2 + 0.62 * len(groups)
    margin = 0.6 + max((text_width_cm(g, 8) for g in groups), default=1)
    with _drawing, matplotlib.rc_context(RC):
        figure, ax = _figure(width_cm, height, left=margin, bottom=1.1, top=0.9)
        _style(ax)
        order = list(range(len(groups)))[::-1]  # first group on top
        left = [0] * len(groups)
        for status, colour in STATUS_COLOURS.items():
            widths = [c.get(status, 0) for c in counts]
            if not any(widths):
                continue
            ax.barh(order, widths, left=left, color=colour, label=labels[status], height=0.62, edgecolor="white")
            for y, w, x in zip(order, widths, left, strict=True):
                if w:
                    ax.text(x + w / 2, y, str(w), ha="center", va="center", fontsize=7, color="white")
            left = [a + b for a, b in zip(left, widths, strict=True)]
        ax.set_yticks(order, groups, fontsize=8)
        ax.set_xlabel("指标数（项）")
        ax.set_xlim(0, max(left, default=1) * 1.02 or 1)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=6, fontsize=7, frameon=False)
        return _png(figure)


def progress_bars(bars: list[Bar], labels: dict[str, str], width_cm: float = 15.0, cap: float = 120.0) -> bytes:
    """How far each indicator has come towards its numeric target (100 = target met), coloured by status;
    with a hollow marker at the baseline when given. Bars beyond `cap` are cut at it."""
    height = 2.2 + 0.5 * len(bars)
    left = 0.6 + max((text_width_cm(b.label, 7) for b in bars), default=1)
    with _drawing, matplotlib.rc_context(RC):
        figure, ax = _figure(width_cm, height, left=left, bottom=1.1, top=0.9)
        _style(ax)
        ys = list(range(len(bars)))[::-1]
        for y, bar in zip(ys, bars, strict=True):
            if bar.value is None:
                continue
            shown = max(0.0, min(bar.value, cap))
            ax.barh(y, shown, color=STATUS_COLOURS[bar.status], height=0.6)
            ax.text(
                shown + 1, y, bar.text, va="center", fontsize=6.5, zorder=3,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.3},
            )  # fmt: skip
            if bar.baseline is not None:
                ax.plot([max(0.0, min(bar.baseline, cap))], [y], marker="o", mfc="white", mec="#333333", ms=4)
        ax.axvline(100, color="#333333", lw=0.8, ls="--")
        ax.set_yticks(ys, [b.label for b in bars], fontsize=7)
        ax.set_xlim(0, cap + 25)
        ax.set_xticks([0, 20, 40, 60, 80, 100, 120][: int(cap // 20) + 1])
        ax.set_xlabel("目标完成程度（%，100 为达到目标）")
        present = [s for s in STATUS_COLOURS if any(b.status == s and b.value is not None for b in bars)]
        handles: list[Patch | Line2D] = [Patch(color=STATUS_COLOURS[s], label=labels[s]) for s in present]
        if any(b.baseline is not None for b in bars):
            handles.append(Line2D([], [], marker="o", mfc="white", mec="#333333", ls="", label="基线"))
        ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=6, fontsize=7, frameon=False)
        return _png(figure)


def rate_bars(groups: list[str], rates: list[float | None], width_cm: float = 15.0) -> bytes:
    """Vertical bars of a rate per group (达标率 by domain), in percent, with its figure on top."""
    with _drawing, matplotlib.rc_context(RC):
        figure, ax = _figure(width_cm, 6.5, left=1.4, bottom=0.8, top=0.3, right=0.2)
        _style(ax)
        xs = list(range(len(groups)))
        heights = [r or 0 for r in rates]
        ax.bar(xs, heights, color="#4a90c8", width=0.6)
        for x, r in zip(xs, rates, strict=True):
            ax.text(x, (r or 0) + 1.5, "—" if r is None else f"{r:.1f}%", ha="center", fontsize=7)
        ax.set_xticks(xs, groups, fontsize=8)
        ax.set_ylim(0, 110)
        ax.set_ylabel("达标率（%）", fontsize=8)
        return _png(figure)


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels, read from the PNG header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
