"""The departments' yearly assessment on the real database: what the gatherer reads (statuses from the
published evaluation or the live one, data completeness and timeliness, the implementation report,
recommendations closed on time), the page and its Excel export read back with openpyxl, the weights
upload (all or nothing, kept, audited), and who may see what."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from childfirst.accounts.models import AuditEvent
from childfirst.collection.models import Submission
from childfirst.implementation.models import (
    Assignment,
    AssignmentState,
    ImplementationReport,
    Recommendation,
    ReportItem,
    ScorecardWeights,
)
from childfirst.implementation.reports import department_items
from childfirst.implementation.scorecard import DEFAULT_FILE
from childfirst.implementation.scorecard_inputs import gather
from childfirst.plans.models import Department

PLAN = "lucheng-2021-2025"
PAGE = f"/plans/{PLAN}/implementation/2025/scorecard/"
EXPORT = f"/plans/{PLAN}/implementation/2025/scorecard.xlsx"
WEIGHTS = f"/plans/{PLAN}/implementation/scorecard/weights/"
WEIGHTS_FILE = f"/plans/{PLAN}/implementation/scorecard/weights.yaml"


def at(day: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(day + "T10:00"))


def health_report(round_2025, users, *, filled: int, submitted: str | None, state: str = "submitted"):
    """Health's 2025 report with its first `filled` items' "what was done" written."""
    department = Department.objects.get(code="health", area__code="330302")
    report = ImplementationReport.objects.create(
        round=round_2025,
        department=department,
        state=state,
        submitted_at=at(submitted) if submitted else None,
        submitted_by=users.reporter if submitted else None,
    )
    measures, key_projects = department_items(round_2025.plan, department)
    items = [ReportItem(report=report, measure=m) for m in measures] + [
        ReportItem(report=report, key_project=k) for k in key_projects
    ]
    for index, item in enumerate(items):
        item.work_done = "开展了工作" if index < filled else ""
    ReportItem.objects.bulk_create(items)
    return report, len(items)


def recommendation(plan, users, department: str, due: str, *, closed: str | None) -> Assignment:
    rec = Recommendation.objects.create(
        plan=plan,
        year=2025,
        title="提高覆盖率",
        text="请采取措施",
        source="warning",
        due_date=datetime.date.fromisoformat(due),
        issued_at=at("2026-04-01"),
        issued_by=users.office,
    )
    return Assignment.objects.create(
        recommendation=rec,
        department=Department.objects.get(code=department, area__code="330302"),
        state=AssignmentState.CLOSED if closed else AssignmentState.OPEN,
        closed_at=at(closed) if closed else None,
        closed_by=users.office if closed else None,
    )


@pytest.fixture
def scored(plan, users, round_2025):
    """Health: report 2 items short and submitted late; two recommendations due, one closed in time,
    one still open after its due date; one not yet due (not counted)."""
    report, expected = health_report(round_2025, users, filled=0, submitted="2026-04-02")
    ReportItem.objects.filter(report=report).exclude(pk__in=list(report.items.values_list("pk", flat=True)[:2])).update(
        work_done="开展了工作"
    )
    recommendation(plan, users, "health", "2026-05-31", closed="2026-05-20")
    recommendation(plan, users, "health", "2026-06-30", closed=None)
    recommendation(plan, users, "health", "2026-12-31", closed=None)
    return report, expected


@pytest.mark.django_db
class TestGather:
    def test_health_parts_from_the_database(self, plan, scored):
        _report, expected = scored
        gathered = gather(plan, 2025, as_of=datetime.date(2026, 7, 15))
        assert gathered.snapshot is None  # 2025 not published: the live evaluation
        card = next(c for c in gathered.cards if c.department_code == "health")
        inputs = card.inputs
        assert inputs.report_expected == expected and inputs.report_filled == expected - 2
        assert inputs.report_timeliness == "late" and inputs.report_state == "submitted"
        assert (inputs.recommendations_due, inputs.recommendations_on_time) == (2, 1)
        assert inputs.data_timeliness == "missing" and inputs.data_answered == 0 and inputs.data_expected
        # No accepted value: every indicator it leads has insufficient data, counted but not scored.
        led = plan.indicators.active().led_by(Department.objects.get(code="health", area__code="330302")).count()
        assert inputs.statuses == {"insufficient_data": led}
        parts = {p.key: p for p in card.parts}
        assert parts["indicators"].score is None
        completeness = (Decimal(100) * (expected - 2) / expected).quantize(Decimal("0.01"))
        assert parts["report"].score == ((completeness * 60 + 50 * 40) / 100).quantize(Decimal("0.01"))
        assert parts["data"].score == Decimal("0.00")
        assert parts["recommendations"].score == Decimal("50.00")
        # indicators left out: (20×data + 25×report + 15×recommendations) ÷ 60
        total = (20 * parts["data"].score + 25 * parts["report"].score + 15 * Decimal(50)) / 60
        assert card.total == total.quantize(Decimal("0.01"))
        # every department leading an indicator or a key project has a row
        codes = {c.department_code for c in gathered.cards}
        assert {"health", "education", "civil-affairs"} <= codes

    def test_published_evaluation_is_preferred_and_named(self, plan, scored, users):
        from childfirst.evaluation.actions import do_publish

        snapshot = do_publish(users.office, plan, 2025, reason="测试")
        # Health's data sent after publication: the scorecard keeps the figures of record.
        Submission.objects.filter(round__plan=plan, round__year=2025, department__code="health").update(
            state="submitted", submitted_at=at("2026-03-01")
        )
        gathered = gather(plan, 2025)
        assert gathered.snapshot == snapshot
        health = next(c for c in gathered.cards if c.department_code == "health")
        assert health.inputs.data_timeliness == "missing"
        assert snapshot.completeness["departments"]  # what it was read from
        assert gathered.weights.uploaded is None
        response_text = gather(plan, 2025, departments=[Department.objects.get(code="health", area__code="330302")])
        assert [c.department_code for c in response_text.cards] == ["health"]

    def test_live_data_timeliness_against_the_deadline(self, plan, round_2025):
        submissions = Submission.objects.filter(round=round_2025)
        submissions.filter(department__code="health").update(state="submitted", submitted_at=at("2026-03-31"))
        submissions.filter(department__code="education").update(state="submitted", submitted_at=at("2026-04-01"))
        cards = {c.department_code: c for c in gather(plan, 2025).cards}
        assert cards["health"].inputs.data_timeliness == "on_time"
        assert cards["education"].inputs.data_timeliness == "late"
        assert cards["civil-affairs"].inputs.data_timeliness == "missing"

    def test_an_uploaded_weights_file_is_in_force(self, plan, users, scored):
        from childfirst.implementation.actions import do_upload_scorecard_weights

        raw = (
            DEFAULT_FILE.read_bytes()
            .replace(b"recommendations: 15", b"recommendations: 35")
            .replace(b"report: 25", b"report: 5")
        )
        do_upload_scorecard_weights(users.office, plan, raw, "新权重.yaml")
        gathered = gather(plan, 2025, as_of=datetime.date(2026, 7, 15))
        assert gathered.weights.uploaded is not None and gathered.weights.weights.parts.report == 5
        card = next(c for c in gathered.cards if c.department_code == "health")
        assert {p.key: p.weight for p in card.parts}["recommendations"] == Decimal(35)


@pytest.mark.django_db
class TestPage:
    def test_office_sees_every_department_with_its_parts(self, client, users, scored):
        client.force_login(users.office)
        response = client.get(PAGE)
        assert response.status_code == 200
        text = response.content.decode()
        assert "区卫健局" in text and "区教育局" in text
        assert "实时评估" in text or "live evaluation" in text
        # the parts' inputs and their computation are on the page
        assert "÷ 100 =" in text and 'id="d-health"' in text
        assert response.context["own"] is None

    def test_a_department_sees_only_its_own_row(self, client, users, scored):
        client.force_login(users.reporter)
        response = client.get(PAGE)
        assert response.status_code == 200
        assert [c.department_code for c in response.context["gathered"].cards] == ["health"]
        assert "区教育局" not in response.content.decode()

    def test_a_year_outside_the_plan_is_404(self, client, users):
        client.force_login(users.office)
        assert client.get(f"/plans/{PLAN}/implementation/2031/scorecard/").status_code == 404
        assert client.get("/plans/no-such-plan/implementation/2025/scorecard/").status_code == 404


@pytest.mark.django_db
class TestExport:
    def test_the_workbook_reads_back_with_values_not_formulas(self, client, users, scored):
        health = Department.objects.get(code="health", area__code="330302")
        health.name = '=HYPERLINK("http://evil/","x")'
        health.save()
        client.force_login(users.office)
        response = client.get(EXPORT)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        workbook = load_workbook(io.BytesIO(response.content))
        summary, parts, weights = workbook.worksheets
        assert [summary.title, parts.title, weights.title] == ["汇总", "分项", "权重"]
        rows = list(summary.iter_rows(values_only=True))
        header_at = next(i for i, row in enumerate(rows) if row[0] == "名次")
        body = [row for row in rows[header_at + 1 :] if row[1]]
        health_row = next(row for row in body if row[1] == "health")
        gathered = gather(health.area.plans.get(code=PLAN), 2025)
        card = next(c for c in gathered.cards if c.department_code == "health")
        assert health_row[3] == float(card.total) and health_row[-1] == card.total_formula
        # the department's name stays text: a string cell with the quote prefix, never a formula
        cell = next(c for c in summary["C"] if c.value == health.name)
        assert cell.data_type == "s" and cell.quotePrefix
        assert not any(c.data_type == "f" for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row)
        part_rows = [row for row in parts.iter_rows(min_row=2, values_only=True) if row[0] == "health"]
        assert [row[2] for row in part_rows] == ["指标状态", "数据报送", "实施报告", "督办落实", "合计"]
        report_row = part_rows[2]
        assert report_row[3] == 25 and "÷ 100 =" in report_row[5] and report_row[6] == float(card.parts[2].score)
        assert "parts:" in "\n".join(str(r[0]) for r in weights.iter_rows(values_only=True))

    def test_a_department_exports_its_own_row_only(self, client, users, scored):
        client.force_login(users.education_reporter)
        workbook = load_workbook(io.BytesIO(client.get(EXPORT).content))
        codes = {row[0] for row in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)}
        assert codes == {"education"}


@pytest.mark.django_db
class TestWeightsUpload:
    def upload(self, client, raw: bytes, name: str = "weights.yaml"):
        return client.post(WEIGHTS, {"file": SimpleUploadedFile(name, raw, content_type="application/yaml")})

    def test_a_valid_file_is_put_in_force_kept_and_audited(self, client, users, plan):
        client.force_login(users.office)
        raw = DEFAULT_FILE.read_bytes().replace(b"late: 50", b"late: 30")
        response = self.upload(client, raw)
        assert response.status_code == 302
        upload = ScorecardWeights.objects.get(plan=plan)
        assert upload.uploaded_by == users.office and upload.content.encode() == raw
        event = AuditEvent.objects.get(action="implementation.scorecard_weights")
        assert event.detail == {"plan": PLAN, "sha256": upload.sha256, "size": len(raw)}
        assert client.get(WEIGHTS_FILE).content == raw  # the download is the file in force
        page = client.get(WEIGHTS)
        assert "weights.yaml" in page.content.decode()
        assert client.get(f"{WEIGHTS[:-1]}/{upload.pk}.yaml").content == raw
        # a second upload keeps the first
        self.upload(client, DEFAULT_FILE.read_bytes())
        assert ScorecardWeights.objects.filter(plan=plan).count() == 2
        assert client.get(WEIGHTS_FILE).content == DEFAULT_FILE.read_bytes()

    @pytest.mark.parametrize(
        "change, expected",
        [
            ((b"  data: 20", b"  dta: 20"), "parts.dta"),
            ((b"indicators: 40", b"indicators: 45"), "105"),
            ((b"at_risk: 40", b"at_risk: forty"), "status_points.at_risk"),
        ],
    )
    def test_a_bad_file_changes_nothing_and_says_why(self, client, users, plan, change, expected):
        client.force_login(users.office)
        response = self.upload(client, DEFAULT_FILE.read_bytes().replace(*change))
        assert response.status_code == 422
        assert expected in response.content.decode()
        assert "weights.yaml:" in response.content.decode()  # the file and line
        assert not ScorecardWeights.objects.exists()
        assert not AuditEvent.objects.filter(action="implementation.scorecard_weights").exists()
        assert client.get(WEIGHTS_FILE).content == DEFAULT_FILE.read_bytes()

    def test_an_oversized_file_is_refused(self, client, users):
        client.force_login(users.office)
        response = self.upload(client, b"#" * (64 * 1024 + 1))
        assert response.status_code == 422 and "65537" in response.content.decode()
        assert not ScorecardWeights.objects.exists()


# --- who may see what ------------------------------------------------------------------------------

READERS = ["office", "leader", "evaluator", "reporter", "reviewer"]
REFUSED = ["supervisor", "director"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", [PAGE, EXPORT, WEIGHTS_FILE])
@pytest.mark.parametrize("role", READERS + REFUSED)
def test_scorecard_access_by_role(client, users, round_2025, url, role):
    client.force_login(getattr(users, role))
    assert client.get(url).status_code == (200 if role in READERS else 403)


@pytest.mark.django_db
@pytest.mark.parametrize("role", READERS + REFUSED)
def test_only_the_office_changes_the_weights(client, users, plan, role):
    client.force_login(getattr(users, role))
    assert client.get(WEIGHTS).status_code == (200 if role == "office" else 403)
    response = client.post(WEIGHTS, {"file": SimpleUploadedFile("w.yaml", DEFAULT_FILE.read_bytes())})
    assert response.status_code == (302 if role == "office" else 403)
    assert ScorecardWeights.objects.exists() == (role == "office")
    # an earlier file: the office's history only
    earlier = ScorecardWeights.objects.create(
        plan=plan, name="w.yaml", content="x", sha256="0" * 64, uploaded_at=timezone.now(), uploaded_by=users.office
    )
    assert client.get(f"{WEIGHTS}{earlier.pk}.yaml").status_code == (200 if role == "office" else 403)


@pytest.mark.django_db
def test_another_district_is_refused(client, users, second_district, round_2025):
    for user in (second_district.office, second_district.reporter):
        client.force_login(user)
        for url in (PAGE, EXPORT, WEIGHTS, WEIGHTS_FILE):
            assert client.get(url).status_code in (403, 404), (user, url)
    # and the Lucheng office cannot set the other district's weights
    client.force_login(users.office)
    other = f"/plans/{second_district.plan.code}/implementation/scorecard/weights/"
    assert client.get(other).status_code in (403, 404)


@pytest.mark.django_db
@pytest.mark.parametrize("role", READERS + REFUSED)
def test_the_navigation_link_opens_last_year(client, users, plan, role):
    client.force_login(getattr(users, role))
    response = client.get(f"/plans/{PLAN}/implementation/scorecard/")
    if role in REFUSED:
        assert response.status_code == 403
        return
    year = min(max(timezone.localdate().year - 1, plan.start_year), plan.end_year)
    assert response.status_code == 302 and response.url == f"/plans/{PLAN}/implementation/{year}/scorecard/"
    page = client.get(response.url)
    # in the navigation, section 四's item is the current one; the section's tabs mark the assessment
    current = [i for i in page.context["nav_items"] if i["current"]]
    assert [i["url"] for i in current] == [f"/plans/{PLAN}/implementation/reports/"]
    assert f'aria-current="page" href="/plans/{PLAN}/implementation/scorecard/"' in page.content.decode()


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, round_2025):
    for url in (PAGE, EXPORT, WEIGHTS, WEIGHTS_FILE, f"/plans/{PLAN}/implementation/scorecard/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
