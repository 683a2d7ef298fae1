"""The demo's implementation reports: closed years accepted, the open year in every state, health's
an empty draft for the demo reporter, all synthetic, and a second run changes nothing."""

from __future__ import annotations

import pytest

from childfirst.collection.models import ReportingRound, SubmissionState
from childfirst.demo.implementation_reports import load_demo_implementation_reports
from childfirst.implementation.models import ImplementationReport, ReportItem
from childfirst.implementation.reports import is_complete


@pytest.mark.django_db
def test_demo_reports(demo, plan, django_assert_max_num_queries):
    with django_assert_max_num_queries(400):
        counts = load_demo_implementation_reports(plan)
    assert counts["implementation_reports_created"] > 0
    reports = ImplementationReport.objects.filter(round__plan=plan)
    assert not reports.filter(is_synthetic=False).exists()
    closed_years = set(
        ReportingRound.objects.filter(plan=plan, state="closed", year__gte=2021).values_list("year", flat=True)
    )
    assert closed_years == {2021, 2022, 2023, 2024}
    for year in closed_years:
        year_reports = reports.filter(round__year=year)
        assert year_reports.exists() and not year_reports.exclude(state=SubmissionState.ACCEPTED).exists()
        assert all(is_complete(r) for r in year_reports)
    current = reports.filter(round__year=2025)
    assert set(current.values_list("state", flat=True)) == set(SubmissionState.values)
    assert current.get(department__code="women-federation").return_reason
    health = current.get(department__code="health")
    assert health.state == SubmissionState.DRAFT and not health.summary
    assert health.items.filter(work_done="").count() == 2 and not is_complete(health)
    # funds per key project in every accepted year
    projects = ReportItem.objects.filter(report__round__year=2024, key_project__isnull=False)
    assert projects.exists() and not projects.filter(funds_budgeted=None).exists()
    assert "演示" in projects.first().work_done
    assert load_demo_implementation_reports(plan) == {
        "implementation_reports_created": 0,
        "implementation_items_created": 0,
    }
