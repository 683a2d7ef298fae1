"""Publishing an evaluation through the confirmation step (childfirst/confirm.py): the office sees
what of the year's round is not accepted yet and, if anything is, gives the reason it publishes now."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role
from childfirst.collection.completeness import outstanding
from childfirst.confirm import Confirmation, confirm_response, is_confirmed, posted_reason, reason_missing
from childfirst.plans.access import get_plan_for_user

from .actions import do_publish
from .models import Snapshot


@role_required(Role.OFFICE)
def publish(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    """GET: the confirmation step for ?year= (what is missing, the reason); POST: publish the
    evaluation of the plan in the URL."""
    the_plan = get_plan_for_user(request, plan)
    data = request.POST if request.method == "POST" else request.GET
    raw_year, note = data.get("year", ""), data.get("note", "").strip()[:200]
    if not raw_year.isdigit() or not the_plan.start_year <= int(raw_year) <= the_plan.end_year:
        messages.error(request, _("Choose the year to publish."))
        return redirect("evaluation:snapshots", plan=the_plan.code)
    year = int(raw_year)
    missing = outstanding(the_plan, year)
    version = (Snapshot.objects.filter(plan=the_plan, year=year).aggregate(v=Max("version"))["v"] or 0) + 1
    consequences = [
        _("The %(year)d evaluation is frozen as version %(version)d and shown on the public portal.")
        % {"year": year, "version": version},
        _("It cannot be withdrawn: a correction is published as a new version, and both stay listed."),
    ]
    if not missing:
        consequences.append(_("Every department of the %(year)d round is accepted.") % {"year": year})
    step = Confirmation(
        title=_("Publish the %(year)d evaluation?") % {"year": year},
        action_url=reverse("evaluation:publish", args=[the_plan.code]),
        cancel_url=reverse("evaluation:snapshots", args=[the_plan.code]),
        confirm_label=_("Publish the evaluation") if not missing else _("Publish although incomplete"),
        consequences=consequences,
        reason_label=_("Why publish now?") if missing else "",
        reason_required=bool(missing),
        reason_help=_("Recorded with the published evaluation and in the audit log.") if missing else "",
        hidden={"year": str(year), "note": note},
        details_template="evaluation/_publish_outstanding.html" if missing else "",
        details={"outstanding": missing, "year": year},
    )
    if request.method != "POST":
        return confirm_response(request, step)
    if not is_confirmed(request) or reason_missing(request, step):
        return confirm_response(request, step)
    try:
        snapshot = do_publish(request.user, the_plan, year, note, reason=posted_reason(request))
    except ValidationError as exc:  # the round changed since the step was shown: show it again
        step.reason_error = " ".join(exc.messages)
        return confirm_response(request, step, status=409)
    messages.success(
        request,
        _("Published the %(year)s evaluation as version %(version)d.")
        % {"year": snapshot.year, "version": snapshot.version},
    )
    return redirect("evaluation:snapshots", plan=the_plan.code)
