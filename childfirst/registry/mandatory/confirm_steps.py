"""The confirmation step (childfirst/confirm.py) of closing a mandatory report."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.confirm import Confirmation, confirm_response
from childfirst.registry.models import MandatoryReport


def close_report_step(request: AuthenticatedHttpRequest, report: MandatoryReport, outcome: str) -> HttpResponse:
    """A closed report cannot be reopened: the step shows the outcome that will stand."""
    step = Confirmation(
        title=_("Close report %(number)s?") % {"number": report.receipt_number},
        action_url=reverse("registry:report_triage", args=[report.pk]),
        cancel_url=reverse("registry:report", args=[report.pk]),
        confirm_label=_("Close the report"),
        consequences=[
            _("A closed report cannot be reopened; later help for the child goes through the child's file."),
            _("Outcome kept with the report: %(outcome)s") % {"outcome": outcome},
        ],
        hidden={"step": "close", "note": outcome},
    )
    return confirm_response(request, step)
