"""Fixtures of the implementation tests: the 2025 round's implementation reports, opened by the office."""

from __future__ import annotations

import pytest

from childfirst.implementation.models import ImplementationReport
from childfirst.implementation.report_actions import do_open_reports


@pytest.fixture
def reports_2025(round_2025, users):
    """Every department's 2025 implementation report, fresh drafts with empty items."""
    do_open_reports(users.office, round_2025)
    return round_2025


@pytest.fixture
def health_report(reports_2025) -> ImplementationReport:
    return ImplementationReport.objects.select_related("round__plan__area", "department").get(
        round=reports_2025, department__code="health"
    )
