"""The report as PDF: the same content rendered by Django templates (templates/reports/pdf/) and
WeasyPrint, A4, with the Noto CJK SC fonts embedded (subset) and page numbers.

Fonts are found through fontconfig by family name, the same families the Word file names; WeasyPrint
embeds the glyphs used. Charts are served to WeasyPrint from memory under "chart:N" addresses, and
nothing else may be fetched: no file, no network. The PDF's dates are the snapshot's publication
time, so rebuilding the same snapshot gives the same file.
"""

from __future__ import annotations

import logging

from django.template.loader import render_to_string
from django.utils import timezone

from .content import Chart, ReportContent, Section

# WeasyPrint logs every step and page at INFO, from its import on; a report job's log wants none of that.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint import HTML  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402


class ChartFetcher(URLFetcher):
    """Serves the report's charts, and refuses every other address."""

    def __init__(self, charts: dict[str, bytes]) -> None:
        super().__init__(fail_on_errors=True)
        self.charts = charts

    def fetch(self, url, headers=None):
        if url not in self.charts:
            raise ValueError(f"a report fetches nothing but its charts, not {url[:60]}")
        return URLFetcherResponse(url, self.charts[url], {"Content-Type": "image/png"})


def render_html(content: ReportContent) -> tuple[str, dict[str, bytes]]:
    """The report's HTML and the charts it refers to."""
    charts = {}
    for index, block in enumerate(content.walk()):
        if isinstance(block, Section):
            block.anchor = f"s{index}"  # for the contents' page numbers
        elif isinstance(block, Chart):
            block.address = f"chart:{block.number}"
            charts[block.address] = block.png
    published = timezone.localtime(content.published_at).replace(microsecond=0).isoformat()
    html = render_to_string(
        "reports/pdf/report.html",
        {
            "content": content,
            "published": published,
            "contents": [b for b in content.walk() if isinstance(b, Section) and b.level <= 2],
        },
    )
    return html, charts


def write_pdf(content: ReportContent) -> bytes:
    html, charts = render_html(content)
    return HTML(string=html, url_fetcher=ChartFetcher(charts)).write_pdf()
