"""Issue 13, item 10 in a real browser against the served demo: the demo director prints the
contact cards of the community (350 children in the demo) as a background job, the page shows
its progress and then the PDF to download, at 1366 px and at 390 px; the PDF holds one card per
child. Selectors are URLs and form field names, so the test holds in Chinese and in English."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from .conftest import ARTIFACTS, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.worker]

COMMUNITY = "330302001001"


@pytest.mark.parametrize("width", [1366, 390])
def test_director_prints_the_communitys_cards_with_progress(browser, server, width):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    page = context.new_page()
    log_in(page, server, "demo-director")
    page.goto(f"{server}/registry/cards/{COMMUNITY}/")
    count = int(re.search(r"\d+", page.locator("p.lead").inner_text()).group(0))
    assert count > 64
    page.locator("input[name=purpose]").fill("入户走访发放联系卡")
    shot(page, f"cards-batch-form-{width}")
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url(re.compile(r"/registry/cards/batch/\d+/$"))
    # The worker prints in the background; the status part polls until the download is offered.
    link = page.locator("a[href$='/cards.pdf']")
    link.wait_for(timeout=60_000)
    shot(page, f"cards-batch-done-{width}")
    href = link.get_attribute("href")
    response = page.request.get(f"{server}{href}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"cards-batch-{width}.pdf").write_bytes(response.body())
    reader = PdfReader(io.BytesIO(response.body()))
    assert len(reader.pages) == -(-count // 8)  # eight to a page
    text = "".join(p.extract_text() for p in reader.pages)
    assert text.count("儿童关爱联系卡") == count
    # A page box never wider than the phone's screen: nothing to scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    context.close()
