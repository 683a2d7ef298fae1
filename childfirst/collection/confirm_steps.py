"""The confirmation step (childfirst/confirm.py) of closing a reporting round."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.confirm import Confirmation, confirm_response

from .completeness import outstanding
from .models import ReportingRound


def close_round_step(request: AuthenticatedHttpRequest, reporting_round: ReportingRound) -> HttpResponse:
    """What closing changes: departments can no longer enter or submit; what is not accepted stays so."""
    missing = outstanding(reporting_round.plan, reporting_round.year)
    consequences = [
        _("Departments can no longer enter, correct or submit values for %(year)d.") % {"year": reporting_round.year},
        _("You can reopen the round later, giving a reason; the closing and the reopening are both recorded."),
    ]
    if missing.departments:
        consequences.append(
            ngettext(
                "%(count)d department is not accepted yet: %(names)s.",
                "%(count)d departments are not accepted yet: %(names)s.",
                len(missing.departments),
            )
            % {
                "count": len(missing.departments),
                "names": "、".join(r.submission.department.display_name for r in missing.departments),
            }
        )
    if missing.missing_values:
        consequences.append(
            ngettext("%(count)d value is missing.", "%(count)d values are missing.", missing.missing_values)
            % {"count": missing.missing_values}
        )
    step = Confirmation(
        title=_("Close the %(year)d round?") % {"year": reporting_round.year},
        action_url=reverse("collection:round_state", args=[reporting_round.plan.code, reporting_round.year]),
        cancel_url=reverse("collection:round", args=[reporting_round.plan.code, reporting_round.year]),
        confirm_label=_("Close the round"),
        consequences=consequences,
        hidden={"step": "close"},
    )
    return confirm_response(request, step)
