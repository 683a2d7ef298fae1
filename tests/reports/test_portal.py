"""The public open-data portal: no login, published snapshots only, Open SDG CSVs and one zip,
links to nothing non-public, and not a single query of the children's registry."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import zipfile
from collections import deque
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from childfirst.accounts.models import Role
from childfirst.areas.models import Area
from childfirst.collection.models import DataValue
from childfirst.evaluation.actions import do_publish
from childfirst.evaluation.models import Snapshot, SnapshotResult, SnapshotValue
from childfirst.plans.models import Domain, Indicator, Plan

from ..accounts.test_access import PORTAL as PORTAL_URLS
from ..accounts.test_access import PORTAL_PLAN as PLAN
from ..conftest import for_the_module, make_user

pytestmark = pytest.mark.django_db

ALLOWED_PREFIXES = ("/open/", "/static/", "/i18n/", "/accounts/login/")


@pytest.fixture(scope="class")
def published(demo, django_db_blocker) -> Iterator[Snapshot]:
    """The office has published 2023 and then 2024 (each once): once for the class that asks, undone
    at its end (`for_the_module`), so that the tests outside it see nothing published."""
    with for_the_module(django_db_blocker):
        office = make_user("portal-office", Role.OFFICE, area="330302")
        plan = Plan.objects.get(code=PLAN)
        do_publish(office, plan, 2023, "年度监测")
        yield do_publish(office, plan, 2024, "年度监测")


def rows_of(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def expected_rows(snapshot: Snapshot, code: str) -> list[list[str]]:
    """The CSV rows as they must come out of SnapshotValue: district first, then streets by code."""
    values = SnapshotValue.objects.filter(snapshot=snapshot, indicator__code=code, value__isnull=False)
    district = sorted((v.year, v.value) for v in values if v.area_id == snapshot.plan.area_id)
    streets = sorted((v.area.code, v.year, v.area.name, v.value) for v in values if v.area_id != snapshot.plan.area_id)
    return [[str(y), "", v] for y, v in district] + [[str(y), name, v] for _c, y, name, v in streets]


def assert_rows_match(rows: list[list[str]], expected: list[list]) -> None:
    assert [r[:2] for r in rows] == [e[:2] for e in expected]
    for row, want in zip(rows, expected, strict=True):
        assert float(row[2]) == pytest.approx(want[2], abs=1e-9), row


class Links(HTMLParser):
    """Every <a href>, <link href> and <script src> of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"a": "href", "link": "href", "script": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.urls.append(value)


def test_only_published_data_and_a_new_version_shows_once_published(client, demo, plan, users):
    first = do_publish(users.office, plan, 2024)
    url = f"/open/{PLAN}/data/WEL-15.csv"
    before = client.get(url).content
    page = client.get(f"/open/{PLAN}/indicators/WEL-15/").content.decode()
    assert "2024" in page and "v1" in page
    # The department corrects accepted data, but nobody publishes: the portal does not move.
    DataValue.objects.filter(round__year=2024, indicator__code="WEL-15", area=plan.area).update(
        value=Decimal("49"), updated_at=timezone.now()
    )
    assert client.get(url).content == before
    assert "2024,,49" not in before.decode()
    assert_rows_match(rows_of(before)[1:], expected_rows(first, "WEL-15"))
    # Unpublished years never show up: 2025's round is open, 2023 was not published here.
    assert client.get(f"/open/{PLAN}/?year=2025").status_code == 404
    assert client.get(f"/open/{PLAN}/?year=2023").status_code == 404
    assert "?year=2025" not in client.get(f"/open/{PLAN}/").content.decode()

    second = do_publish(users.office, plan, 2024, "更正")
    after = client.get(url).content.decode()
    assert "2024,,49\n" in after
    assert_rows_match(rows_of(after.encode())[1:], expected_rows(second, "WEL-15"))
    assert "v2" in client.get(f"/open/{PLAN}/indicators/WEL-15/").content.decode()


class TestPublished:
    """The portal once the office has published 2023 and then 2024: published once for these tests
    (`published`), each test's own changes undone after it."""

    def test_anonymous_opens_every_portal_url(self, client, published):
        for name, url in PORTAL_URLS.items():
            response = client.get(url, follow=True)
            assert response.status_code == 200, name
            assert all(urlsplit(hop).path.startswith("/open/") for hop, _status in response.redirect_chain), name
        page = client.get(f"/open/{PLAN}/")
        assert "public" in page["Cache-Control"] and "max-age=300" in page["Cache-Control"]
        assert "Cookie" in page["Vary"]
        assert not page.cookies, "a public page sets no cookie (no session, no CSRF token)"
        again = client.get(f"/open/{PLAN}/", HTTP_IF_NONE_MATCH=page["ETag"])
        assert again.status_code == 304

    def test_the_crawl_stays_public_and_never_touches_the_registry(self, client, published):
        """Follow every link, stylesheet and script from /open/ on this host: each one is public and
        answers 200 to an anonymous client; no query of the whole crawl reads a registry table."""
        seen: set[str] = set()
        queue = deque(["/open/"])
        with CaptureQueriesContext(connection) as queries:
            while queue:
                url = queue.popleft()
                response = client.get(url, follow=True)
                assert response.status_code == 200, url
                if response.redirect_chain:
                    assert urlsplit(response.redirect_chain[-1][0]).path.startswith(ALLOWED_PREFIXES), url
                path = urlsplit(url).path
                if not path.startswith("/open/") or "text/html" not in response["Content-Type"]:
                    continue
                links = Links()
                links.feed(response.content.decode())
                for link in links.urls:
                    parts = urlsplit(urljoin(url, link))
                    if parts.netloc and parts.netloc != "testserver":
                        continue  # another host: nothing of ours
                    if parts.path == urlsplit(url).path and not parts.query:
                        continue  # an anchor on the same page
                    assert parts.path.startswith(ALLOWED_PREFIXES), f"{url} links to {link}"
                    target = parts.path + (f"?{parts.query}" if parts.query else "")
                    if target not in seen:
                        seen.add(target)
                        queue.append(target)
        touched = [q["sql"] for q in queries.captured_queries if "registry_" in q["sql"].lower()]
        assert not touched, touched[:3]
        assert len([u for u in seen if "/indicators/" in u]) >= 2 * 84  # every indicator, both published years
        assert any(u.startswith("/static/vendor/echarts") for u in seen)
        assert "/accounts/login/" in seen

    def test_csv_is_open_sdg_format(self, client, published):
        response = client.get(f"/open/{PLAN}/data/HEA-14.csv")
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "HEA-14_2024v1.csv" in response["Content-Disposition"]
        content = response.content
        # A UTF-8 byte-order mark (Excel then reads 街镇 right), then Open SDG's header.
        assert content.startswith(b"\xef\xbb\xbfYear,\xe8\xa1\x97\xe9\x95\x87,Value\n")
        rows = rows_of(content)
        assert rows[0] == ["Year", "街镇", "Value"]
        assert all(len(r) == 3 for r in rows)
        assert_rows_match(rows[1:], expected_rows(published, "HEA-14"))
        assert rows[1][1] == "" and rows[-1][1] != ""  # the district's headline rows first
        # The chosen year's snapshot, when asked.
        older = client.get(f"/open/{PLAN}/data/HEA-14.csv?year=2023")
        assert_rows_match(rows_of(older.content)[1:], expected_rows(Snapshot.objects.get(year=2023), "HEA-14"))
        assert not any(r[0] == "2024" for r in rows_of(older.content)[1:])

    def test_zip_holds_every_indicator_and_the_metadata(self, client, published):
        response = client.get(f"/open/{PLAN}/data/all.zip")
        assert response["Content-Type"] == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        codes = sorted(
            SnapshotResult.objects.filter(snapshot=published, area=published.plan.area).values_list(
                "indicator__code", flat=True
            )
        )
        assert len(codes) == 84
        names = archive.namelist()
        assert names[:3] == ["README.md", "metadata.csv", "metadata.json"]
        assert sorted(n[len("data/") : -len(".csv")] for n in names[3:]) == codes
        for code in ("HEA-14", "WEL-15", codes[0], codes[-1]):
            assert archive.read(f"data/{code}.csv") == client.get(f"/open/{PLAN}/data/{code}.csv").content
        records = json.loads(archive.read("metadata.json"))
        assert [r["code"] for r in records] == [n[len("data/") : -len(".csv")] for n in names[3:]]
        hea14 = next(r for r in records if r["code"] == "HEA-14")
        assert hea14["source_text"] == Indicator.objects.get(code="HEA-14").source_text
        assert hea14["status"] == SnapshotResult.objects.get(snapshot=published, area=published.plan.area,
                                                             indicator__code="HEA-14").status  # fmt: skip
        assert hea14["departments"] == ["区卫健局"]
        assert all(archive.read(n).startswith(b"\xef\xbb\xbf") for n in names if n.endswith(".csv"))  # Excel
        meta_rows = rows_of(archive.read("metadata.csv"))
        assert meta_rows[0][:2] == ["code", "name"] and len(meta_rows) == 85
        readme = archive.read("README.md").decode()
        assert "2024" in readme and "第 1 版" in readme and "Open SDG" in readme
        assert client.get(f"/open/{PLAN}/data/all.zip").content == response.content  # same snapshot, same bytes

    def test_no_staff_names_or_provenance_on_the_portal(self, client, published):
        """Values carry who entered and accepted them; the portal publishes figures, not people."""
        names = {"entered_by": "填报员张天宝", "approved_by": "审核员李晓梅", "accepted_by": "工委办王建国"}
        for value in SnapshotValue.objects.filter(snapshot=published, indicator__code="HEA-14", derived=False):
            value.source = {**value.source, **names}
            value.save(update_fields=["source"])
        pages = [
            client.get(u).content.decode() for u in PORTAL_URLS.values() if "language" not in u and ".zip" not in u
        ]
        archive = zipfile.ZipFile(io.BytesIO(client.get(f"/open/{PLAN}/data/all.zip").content))
        texts = pages + [archive.read(n).decode() for n in archive.namelist()]
        assert any("HEA-14" in t for t in texts)
        for name in names.values():
            assert not any(name in t for t in texts), name

    def test_pages_are_accessible_by_structure(self, client, published):
        for name in ("portal:index", "portal:plan", "portal:domain", "portal:indicator", "portal:key_projects"):
            html = client.get(PORTAL_URLS[name]).content.decode()
            assert html.count("<h1") == 1, name
            assert '<html lang="zh-hans">' in html
            assert 'class="skip-link" href="#main"' in html and '<main id="main"' in html
            levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", html)]
            assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels)), (name, levels)
            assert html.count("<table") == html.count("<caption"), name
            assert all("scope=" in th for th in re.findall(r"<th(?=[ >])[^>]*>", html)), name
            # Every chart has its table beside it.
            assert html.count('data-chart="') == html.count('class="chart-with-table') or "data-chart" not in html
            assert "{% " not in html and "{{ " not in html
            assert 'href="/accounts/' not in html.replace('href="/accounts/login/"', ""), name
            assert "/evaluation/" not in html and "/collection/" not in html and "/registry/" not in html

    def test_language_switch_by_link(self, client, published):
        response = client.get(f"/open/language/en/?next=/open/{PLAN}/")
        assert response.status_code == 302 and response.url == f"/open/{PLAN}/"
        assert response.cookies["django_language"].value == "en"
        page = client.get(f"/open/{PLAN}/").content.decode()
        assert '<html lang="en">' in page and "Health" in page  # the domains' English names
        assert client.get("/open/language/en/?next=https://evil.example/").url == "/open/"
        assert client.get("/open/language/en/?next=/evaluation/").url == "/open/"
        assert client.get("/open/language/xx/").status_code == 404
        client.get("/open/language/zh-hans/?next=/open/")
        assert '<html lang="zh-hans">' in client.get("/open/").content.decode()

    def test_another_districts_plan_and_plans_without_publication(self, client, published):
        ouhai = Area.objects.create(code="330304", name="瓯海区", level="district")
        street = Area.objects.create(code="330304001", name="景山街道", level="street", parent=ouhai)
        other = Plan.objects.create(code="ouhai-2021-2025", name="瓯海区儿童发展规划", area=ouhai, start_year=2021,
                                    end_year=2025)  # fmt: skip
        domain = Domain.objects.create(plan=other, code="health", number=1, name="儿童与健康")
        indicator = Indicator.objects.create(
            plan=other, domain=domain, code="H-1", order=1, name="新生儿访视率", name_en="Newborn visits", unit="%",
            comparator=">=", target=90, target_year=2025, source_part="goal", source_number=1,
            source_text="新生儿访视率保持在90％以上。",
        )  # fmt: skip
        assert client.get("/open/ouhai-2021-2025/").status_code == 404  # nothing published yet
        assert "瓯海区儿童发展规划" not in client.get("/open/").content.decode()
        snapshot = Snapshot.objects.create(
            plan=other, year=2022, version=1, method_version="t", published_at=timezone.now()
        )
        SnapshotResult.objects.create(snapshot=snapshot, indicator=indicator, area=ouhai, status="on_track",
                                      latest_year=2022, latest_value=91.5)  # fmt: skip
        for area, year, value in [(ouhai, 2021, 90.0), (ouhai, 2022, 91.5), (street, 2022, 88.25)]:
            SnapshotValue.objects.create(snapshot=snapshot, indicator=indicator, area=area, year=year, value=value)
        index = client.get("/open/").content.decode()
        assert "瓯海区儿童发展规划" in index and "鹿城区" in index
        for url in ("/open/ouhai-2021-2025/", "/open/ouhai-2021-2025/domains/health/",
                    "/open/ouhai-2021-2025/projects/", "/open/ouhai-2021-2025/indicators/H-1/",
                    "/open/ouhai-2021-2025/data/"):  # fmt: skip
            assert client.get(url).status_code == 200, url
        text = client.get("/open/ouhai-2021-2025/data/H-1.csv").content.decode()
        assert text == "\ufeffYear,街镇,Value\n2021,,90\n2022,,91.5\n2022,景山街道,88.25\n"
        # The other plan's indicators are not reachable through this plan, nor the reverse.
        assert client.get("/open/ouhai-2021-2025/indicators/HEA-14/").status_code == 404
        assert client.get(f"/open/{PLAN}/indicators/H-1/").status_code == 404
        assert client.get("/open/nope/").status_code == 404
        assert client.get(f"/open/{PLAN}/?year=abc").status_code == 404
