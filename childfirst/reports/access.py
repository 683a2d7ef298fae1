"""Who may see which report job. Every job view gets its job through `get_job_for_user`.

The office generates and downloads; leaders and evaluators download what the office generated;
department staff and the registry's roles have no business with reports (403)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role
from childfirst.plans.access import get_plan_for_user

from .models import JobState, ReportJob

READERS = (Role.OFFICE, Role.LEADER, Role.EVALUATOR)


def can_generate(user) -> bool:
    return getattr(user, "role", "") == Role.OFFICE


def get_job_for_user(request: AuthenticatedHttpRequest, plan: str, pk: int) -> ReportJob:
    """The job of the plan in the URL, if the user reads reports and sees that plan (403 otherwise);
    a job of another plan is a 404. Leaders and evaluators see only finished jobs: a queued or failed
    one is the office's business."""
    if getattr(request.user, "role", "") not in READERS:
        raise PermissionDenied
    the_plan = get_plan_for_user(request, plan)
    job = get_object_or_404(
        ReportJob.objects.select_related("snapshot__plan__area", "requested_by"), pk=pk, snapshot__plan=the_plan
    )
    if not can_generate(request.user) and job.state != JobState.DONE:
        raise PermissionDenied
    return job
