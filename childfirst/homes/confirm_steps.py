"""The confirmation step (childfirst/confirm.py) of closing a children's home."""

from __future__ import annotations

import datetime

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.confirm import Confirmation, confirm_response

from .models import ChildrensHome


def close_home_step(
    request: AuthenticatedHttpRequest, home: ChildrensHome, closed_on: datetime.date, reason: str
) -> HttpResponse:
    """Closing can be undone by reopening, except the 1+N links of a demonstration home, which go."""
    consequences = [
        _("From %(day)s the home no longer counts as a working children's home in the coverage.")
        % {"day": closed_on.isoformat()},
        _("You can reopen it later, giving a reason."),
    ]
    linked = home.linked_homes.count()
    if linked:
        consequences.append(
            ngettext(
                "The %(count)d home it leads (1+N) is let go; reopening does not link it again.",
                "The %(count)d homes it leads (1+N) are let go; reopening does not link them again.",
                linked,
            )
            % {"count": linked}
        )
    step = Confirmation(
        title=_("Close %(home)s?") % {"home": home.name},
        action_url=reverse("registry:home_state", args=[home.pk]),
        cancel_url=reverse("registry:home", args=[home.pk]),
        confirm_label=_("Close the home"),
        consequences=consequences,
        hidden={"step": "close", "closed_on": closed_on.isoformat(), "reason": reason},
    )
    return confirm_response(request, step)
