"""Charts for the Word and PDF reports: the geometry is computed here (bars, axes, labels, legend as
primitives in cm), drawn by Typst (typst/chart.typ) and rendered to PNG at 200 ppi in the reports'
own CJK font, the same PNG in both files.

Why not matplotlib (as before): drawing the annual report's nine charts took about 3 s of CPU, most
of the report's time once its PDF came from Typst; Typst renders each in a few milliseconds.

Deterministic: fixed size and resolution, no date; the same data gives the same PNG bytes. The font
is the Noto Sans CJK SC face of Debian's fonts-noto-cjk; childfirst.typesetting refuses to work
without it rather than print the Chinese labels as empty boxes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from childfirst import typesetting

SANS_FAMILY = "Noto Sans CJK SC"
DPI = 200
TEMPLATE = Path(__file__).resolve().parent / "typst" / "chart.typ"
AXIS = "#333333"
RIGHT_MARGIN = 0.4

# Worst first, as in the evaluation pages; colours readable in greyscale print as well.
STATUS_COLOURS = {
    "not_achieved": "#8e1b1b",
    "at_risk": "#d9482b",
    "needs_acceleration": "#f0a43a",
    "insufficient_data": "#b9b9b9",
    "on_track": "#4a90c8",
    "achieved": "#2e8b57",
}


def text_width_cm(text: str, size_pt: float) -> float:
    """About how wide `text` sets in the CJK sans: a Chinese character is one em, Latin about half."""
    ems = sum(1.0 if ord(c) > 0x2E7F else 0.56 for c in text)
    return ems * size_pt / 72 * 2.54


def nice_ticks(top: float, most: int = 8) -> list[float]:
    """Round tick values from 0 to at least `top`: steps of 1, 2 or 5 × a power of ten."""
    if top <= 0:
        return [0, 1]
    raw = top / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(count + 1)]


def tick_label(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class Canvas:
    """The primitives of one chart, with its plot area and the x (and y) scale."""

    def __init__(self, width: float, height: float, left: float, bottom: float, top: float, right: float) -> None:
        self.width, self.height = width, height
        self.x0, self.x1 = left, width - right
        self.y0, self.y1 = top, height - bottom  # the plot area, from the top
        self.items: list[dict[str, Any]] = []

    def rect(self, x: float, y: float, w: float, h: float, fill: str, edge: str | None = None) -> None:
        item: dict[str, Any] = {"t": "rect", "x": x, "y": y, "w": max(w, 0.0), "h": h, "fill": fill}
        if edge:
            item["edge"] = edge
        self.items.append(item)

    def line(self, x1: float, y1: float, x2: float, y2: float, pt: float = 0.6, dash: str | None = None) -> None:
        item: dict[str, Any] = {"t": "line", "x1": x1, "y1": y1, "x2": x2, "y2": y2, "stroke": AXIS, "pt": pt}
        if dash:
            item["dash"] = dash
        self.items.append(item)

    def text(self, x: float, y: float, s: str, size: float, anchor: str = "center", **extra: Any) -> None:
        self.items.append({"t": "text", "x": x, "y": y, "s": s, "size": size, "anchor": anchor, **extra})

    def legend(self, items: list[tuple[str, str, str]], size: float = 7) -> None:
        """(colour, label, marker) in a centred row above the plot area."""
        entries = [{"fill": fill, "label": label, "marker": marker} for fill, label, marker in items]
        self.items.append({"t": "legend", "y": self.y0 / 2, "size": size, "items": entries})

    def x_axis(self, ticks: Sequence[float], scale: Callable[[float], float], label: str) -> None:
        self.line(self.x0, self.y1, self.x1, self.y1)
        for value in ticks:
            x = scale(value)
            self.line(x, self.y1, x, self.y1 + 0.1)
            self.text(x, self.y1 + 0.38, tick_label(value), 8)
        self.text((self.x0 + self.x1) / 2, self.y1 + 0.85, label, 8)

    def png(self) -> bytes:
        data = {"width": self.width, "height": self.height, "items": self.items}
        return typesetting.template(str(TEMPLATE)).render(data, format="png", ppi=DPI)


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
    canvas = Canvas(width_cm, height, left=margin, bottom=1.1, top=0.9, right=RIGHT_MARGIN)
    totals = [sum(c.get(s, 0) for s in STATUS_COLOURS) for c in counts]
    ticks = nice_ticks(max(totals, default=1))
    top = max(max(totals, default=1) * 1.02, 1)
    ticks = [t for t in ticks if t <= top]

    def scale(value: float) -> float:
        return canvas.x0 + (canvas.x1 - canvas.x0) * value / top

    row = (canvas.y1 - canvas.y0) / max(len(groups), 1)
    present = []
    for i, (group, count) in enumerate(zip(groups, counts, strict=True)):
        middle = canvas.y0 + row * (i + 0.5)
        thickness = row * 0.62
        left = 0
        for status, colour in STATUS_COLOURS.items():
            n = count.get(status, 0)
            if not n:
                continue
            if status not in present:
                present.append(status)
            canvas.rect(
                scale(left), middle - thickness / 2, scale(left + n) - scale(left), thickness, colour, "#ffffff"
            )
            canvas.text((scale(left) + scale(left + n)) / 2, middle, str(n), 7, fill="#ffffff")
            left += n
        canvas.text(canvas.x0 - 0.15, middle, group, 8, "right")
    canvas.line(canvas.x0, canvas.y0, canvas.x0, canvas.y1)
    canvas.x_axis(ticks, scale, "指标数（项）")
    order = [s for s in STATUS_COLOURS if s in present]
    canvas.legend([(STATUS_COLOURS[s], labels[s], "square") for s in order])
    return canvas.png()


def progress_bars(bars: list[Bar], labels: dict[str, str], width_cm: float = 15.0, cap: float = 120.0) -> bytes:
    """How far each indicator has come towards its numeric target (100 = target met), coloured by status;
    with a hollow marker at the baseline when given. Bars beyond `cap` are cut at it."""
    height = 2.2 + 0.5 * len(bars)
    left = 0.6 + max((text_width_cm(b.label, 7) for b in bars), default=1)
    canvas = Canvas(width_cm, height, left=left, bottom=1.1, top=0.9, right=RIGHT_MARGIN)
    top = cap + 25

    def scale(value: float) -> float:
        return canvas.x0 + (canvas.x1 - canvas.x0) * value / top

    # The target line first: the bars' figures are written over it.
    canvas.line(scale(100), canvas.y0, scale(100), canvas.y1, pt=0.8, dash="dashed")
    row = (canvas.y1 - canvas.y0) / max(len(bars), 1)
    for i, bar in enumerate(bars):
        middle = canvas.y0 + row * (i + 0.5)
        canvas.text(canvas.x0 - 0.15, middle, bar.label, 7, "right")
        if bar.value is None:
            continue
        shown = max(0.0, min(bar.value, cap))
        canvas.rect(canvas.x0, middle - row * 0.3, scale(shown) - canvas.x0, row * 0.6, STATUS_COLOURS[bar.status])
        canvas.text(scale(shown + 1), middle, bar.text, 6.5, "left", bg=True)
        if bar.baseline is not None:
            canvas.items.append(
                {"t": "circle", "x": scale(max(0.0, min(bar.baseline, cap))), "y": middle, "r": 0.07, "stroke": AXIS}
            )
    canvas.line(canvas.x0, canvas.y0, canvas.x0, canvas.y1)
    canvas.x_axis([0, 20, 40, 60, 80, 100, 120][: int(cap // 20) + 1], scale, "目标完成程度（%，100 为达到目标）")
    present = [s for s in STATUS_COLOURS if any(b.status == s and b.value is not None for b in bars)]
    legend = [(STATUS_COLOURS[s], labels[s], "square") for s in present]
    if any(b.baseline is not None for b in bars):
        legend.append((AXIS, "基线", "circle"))
    canvas.legend(legend)
    return canvas.png()


def rate_bars(groups: list[str], rates: list[float | None], width_cm: float = 15.0) -> bytes:
    """Vertical bars of a rate per group (达标率 by domain), in percent, with its figure on top."""
    canvas = Canvas(width_cm, 6.5, left=1.4, bottom=0.8, top=0.3, right=0.2)

    def y_of(value: float) -> float:
        return canvas.y1 - (canvas.y1 - canvas.y0) * value / 110

    column = (canvas.x1 - canvas.x0) / max(len(groups), 1)
    for i, (group, rate) in enumerate(zip(groups, rates, strict=True)):
        middle = canvas.x0 + column * (i + 0.5)
        height = rate or 0
        canvas.rect(middle - column * 0.3, y_of(height), column * 0.6, canvas.y1 - y_of(height), "#4a90c8")
        canvas.text(middle, y_of(height) - 0.2, "—" if rate is None else f"{rate:.1f}%", 7)
        canvas.line(middle, canvas.y1, middle, canvas.y1 + 0.1)
        canvas.text(middle, canvas.y1 + 0.38, group, 8)
    canvas.line(canvas.x0, canvas.y1, canvas.x1, canvas.y1)
    canvas.line(canvas.x0, canvas.y0, canvas.x0, canvas.y1)
    for value in range(0, 101, 20):
        canvas.line(canvas.x0 - 0.1, y_of(value), canvas.x0, y_of(value))
        canvas.text(canvas.x0 - 0.15, y_of(value), str(value), 8, "right")
    canvas.text(0.3, (canvas.y0 + canvas.y1) / 2, "达标率（%）", 8, angle=-90)
    return canvas.png()


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels, read from the PNG header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
