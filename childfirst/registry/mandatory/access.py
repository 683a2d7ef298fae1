"""Who sees a mandatory report: the supervisor of the street it was routed to."""

from __future__ import annotations

from django.http import Http404

from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import User
from childfirst.registry.casework.access import is_supervisor_of_street
from childfirst.registry.casework.caseload import supervisors_of
from childfirst.registry.children.access import log_access
from childfirst.registry.models import (
    AccessAction,
    MandatoryReport,
)


def get_report_for_user(request: AuthenticatedHttpRequest, pk: int) -> MandatoryReport:
    """The report, for the supervisor of the street it was routed to; the read is logged against
    the linked child file, or as a read without a file while none is linked."""
    report = (
        MandatoryReport.objects.select_related("community", "street", "child", "triaged_by", "closed_by")
        .filter(pk=pk)
        .first()
    )
    if report is None or not is_supervisor_of_street(request.user, report.street):
        raise Http404  # out of scope answers as missing: nothing tells that the report exists
    log_access(request, report.child, AccessAction.VIEW, f"mandatory report {report.receipt_number}")
    return report


def report_recipients(report: MandatoryReport) -> list[User]:
    return supervisors_of(report.street)
