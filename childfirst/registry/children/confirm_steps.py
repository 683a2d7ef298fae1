"""The confirmation steps (childfirst/confirm.py) of removing a guardian and ending a category.

The steps name the guardian by relation and the category by type only: the file's page, which the
keeper has just left, holds the rest, and a confirmation page is no place to show more of a child."""

from __future__ import annotations

import datetime

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.confirm import Confirmation, confirm_response
from childfirst.registry.models import Child, ChildCategory, Guardian


def remove_guardian_step(request: AuthenticatedHttpRequest, child: Child, guardian: Guardian) -> HttpResponse:
    consequences = [
        _("The guardian's name, relation and phone are deleted from the file; this cannot be undone."),
        _("If it was a mistake, add the guardian again on the file."),
    ]
    if guardian.is_primary:
        consequences.append(_("This is the primary guardian: the next guardian listed becomes primary."))
    step = Confirmation(
        title=_("Remove this guardian (%(relation)s)?") % {"relation": guardian.get_relation_display()},
        action_url=reverse("registry:child_guardian_remove", args=[child.pk, guardian.pk]),
        cancel_url=reverse("registry:child", args=[child.pk]),
        confirm_label=_("Remove the guardian"),
        consequences=consequences,
    )
    return confirm_response(request, step)


def end_category_step(
    request: AuthenticatedHttpRequest, child: Child, category: ChildCategory, end: datetime.date
) -> HttpResponse:
    step = Confirmation(
        title=_("End the category %(category)s?") % {"category": category.type.display_name},
        action_url=reverse("registry:child_category_end", args=[child.pk, category.pk]),
        cancel_url=reverse("registry:child", args=[child.pk]),
        confirm_label=_("End the category"),
        consequences=[
            _("From %(day)s the child no longer counts in this category, in lists and in the monitoring counts.")
            % {"day": end.isoformat()},
            _("An ended period cannot be reopened: if the category applies again, record a new period."),
        ],
        hidden={"end": end.isoformat()},
    )
    return confirm_response(request, step)
