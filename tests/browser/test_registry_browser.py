"""Issue 6's "done when" in a real browser against the served demo: the demo director finds a child
by pinyin, records a visit and a risk assessment and prints the contact card; a teacher files a
mandatory report through the public intake page and the demo supervisor sees it within its
deadline; the director of another community cannot open the child's page.

Selectors are form field names and URLs rather than button texts, so the test holds in Chinese and
in English."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from .conftest import ARTIFACTS, copy_of_demo, log_in, server_env, serving, shot

pytestmark = pytest.mark.browser

# A director for 五马第二社区, to prove the scope, and one child of 五马第一社区 with a name that is
# unique there and one pinyin reading. (The loaders do nothing: `demo-data` has loaded the registry.)
SETUP = """
import json, django
django.setup()
from childfirst.accounts.actions import do_create_user
from childfirst.accounts.models import Role, User
from childfirst.areas.models import Area
from childfirst.demo.registry_casework import load_demo_casework
from childfirst.demo.registry_children import load_demo_children
from childfirst.registry.models import Child
from childfirst.demo.load import DEMO_PASSWORD
load_demo_children()
load_demo_casework()
if not User.objects.filter(username="demo-director-2").exists():
    do_create_user(None, username="demo-director-2", password=DEMO_PASSWORD, role=Role.COMMUNITY_DIRECTOR,
                   full_name="演示·五马第二社区儿童主任", area=Area.objects.get(code="330302001002"), is_demo=True)
mine = Child.objects.filter(residence_area__code="330302001001", status="active").order_by("pk")
child = next(c for c in mine if mine.filter(name=c.name).count() == 1 and " " not in c.name_pinyin)
community = Area.objects.get(code="330302001001")
print(json.dumps({"pk": child.pk, "name": child.name, "pinyin": child.name_pinyin,
                  "community": community.pk}))
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_var) -> Iterator[dict]:
    """The demo served as the README serves it (a copy of the session's demo-data), with a second
    director; yields the server's address and one child of 五马第一社区."""
    var = copy_of_demo(tmp_path_factory, demo_var)
    setup = subprocess.run(
        [sys.executable, "-c", SETUP], env=server_env(var), check=True, capture_output=True, text=True
    )
    child = json.loads(setup.stdout.strip().splitlines()[-1])
    with serving(var) as url:
        yield {"url": url, **child}


def test_director_visit_assessment_card_report_and_scope(browser, demo):
    url, pk = demo["url"], demo["pk"]
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()

    # The director finds the child by pinyin in the work list, overdue visits first.
    log_in(page, url, "demo-director")
    page.goto(f"{url}/registry/work/")
    assert page.locator("tr.overdue-row").count() > 0
    first_due = page.locator("table.data tbody tr").first
    assert "overdue-row" in (first_due.get_attribute("class") or "")
    page.fill("input[name=q]", demo["pinyin"])
    with page.expect_navigation():  # the search is POSTed: the name is never in the URL
        page.locator("form[role=search] button[type=submit]").click()
    assert "q=" not in page.url and demo["pinyin"] not in page.url
    shot(page, "registry-work-list-search")
    page.locator("table.data tbody").get_by_role("link", name=demo["name"], exact=True).click()
    page.wait_for_url(f"**/registry/children/{pk}/casework/")

    # A visit.
    page.goto(f"{url}/registry/children/{pk}/visits/new/")
    page.check("input[name=kind][value=home]")
    page.fill("textarea[name=findings]", "入户走访：祖母照料，作业按时完成。")
    page.fill("textarea[name=needs]", "需要课业辅导")
    page.locator("form.casework-form button[type=submit]").click()
    page.wait_for_url(f"**/registry/children/{pk}/casework/")
    assert "入户走访：祖母照料" in page.locator("table.data").first.inner_text()
    shot(page, "registry-casework-after-visit")

    # A risk assessment: a critical item makes it high at once, and the running score says so.
    page.goto(f"{url}/registry/children/{pk}/risk/new/")
    page.locator("input[data-critical='1']").first.check()
    page.locator("input[data-weight='3']").first.check()
    assert "risk-high" in page.locator("#risk-score [data-level]").get_attribute("class")
    shot(page, "registry-risk-form")
    page.locator("form.casework-form button[type=submit]").click()
    page.wait_for_url("**/registry/risk/*/")
    assert page.locator(".score-box .risk-high").count() == 1
    shot(page, "registry-risk-assessment")

    # The contact card (built by the children's homes part) prints as a PDF.
    page.goto(f"{url}/registry/children/{pk}/casework/")
    form = page.locator("form#contact-card")
    token = form.locator("input[name=csrfmiddlewaretoken]").input_value()
    card = page.request.post(
        url + form.get_attribute("action"),
        form={"purpose": "入户走访", "csrfmiddlewaretoken": token},
        headers={"Referer": page.url},
    )
    assert card.status == 200 and card.headers["content-type"] == "application/pdf"
    assert card.body().startswith(b"%PDF")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "registry-contact-card.pdf").write_bytes(card.body())
    context.close()

    # A teacher (no account) files a mandatory report through the public intake page.
    teacher = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    intake = teacher.new_page()
    intake.goto(f"{url}/registry/report/")
    assert demo["name"] not in intake.content()  # the intake shows no child data
    intake.fill("input[name=reporter_institution]", "鹿城区演示第一小学")
    intake.select_option("select[name=reporter_kind]", "school")
    intake.fill("input[name=reporter_name]", "演示·林老师")
    intake.fill("input[name=reporter_phone]", "10000001234")
    intake.fill("input[name=child_name]", demo["name"])
    intake.fill("input[name=child_age]", "9")
    intake.select_option("select[name=community]", str(demo["community"]))
    intake.check("input[name=concerns][value=neglect]")
    intake.fill("textarea[name=description]", "连续三天无人接送，午饭只有饼干。")
    intake.check("input[name=urgency][value=normal]")
    shot(intake, "registry-intake-filled")
    intake.locator("form.casework-form button[type=submit]").click()
    intake.wait_for_url("**/registry/report/received/")
    receipt = intake.locator(".receipt-number").inner_text().strip()
    assert receipt.startswith("QB")
    assert demo["name"] not in intake.content()
    shot(intake, "registry-intake-receipt")
    teacher.close()

    # The street supervisor sees it on the dashboard, with its deadline still ahead.
    supervisor = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = supervisor.new_page()
    log_in(page, url, "demo-supervisor")
    page.goto(f"{url}/registry/supervision/")
    row = page.locator("table.data tr", has_text=receipt)
    assert row.count() == 1 and row.locator(".overdue").count() == 0
    shot(page, "registry-supervisor-dashboard")
    row.get_by_role("link", name=receipt).click()
    page.wait_for_url("**/registry/reports/*/")
    assert demo["name"] in page.content()  # the supervisor sees the report and the file it may be
    shot(page, "registry-report-triage")
    supervisor.close()

    # The director of another community cannot open the child's file: it answers as missing (404).
    other = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = other.new_page()
    log_in(page, url, "demo-director-2")
    assert page.goto(f"{url}/registry/children/{pk}/").status == 404
    assert page.goto(f"{url}/registry/children/{pk}/casework/").status == 404
    shot(page, "registry-other-director-404")
    other.close()
