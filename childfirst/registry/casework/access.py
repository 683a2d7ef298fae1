"""Who may see and do what in the casework. Every casework view gets its object through one helper
here; refusals raise PermissionDenied (403). Child files themselves go through the core's
`get_child_for_user`, which also writes the access log.

- Visits, assistance and referrals: the keepers of the child's file (the community's director and
  the street's supervisor).
- Risk assessments: recorded by the community director (by the street supervisor only where the
  community has no director), approved or returned by the street supervisor — never by the person
  who made the assessment.
- Tasks: the supervisor of the task's street.
- Referrals: also the reporters and reviewers of the department referred to, while the referral is
  open, and then only the fields the referral needs.
- Mandatory reports: the supervisor of the street they are routed to. The office sees escalated
  reports' metadata only (receipt number, street, urgency, times), never the child or the reporter.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role, User
from childfirst.areas.models import Area
from childfirst.registry.children.access import get_child_for_user, keeps_area
from childfirst.registry.models import (
    AssessmentState,
    Assistance,
    Child,
    RiskAssessment,
    Task,
)


def _active(user: User) -> bool:
    return user.is_authenticated and user.is_active and not user.access_expired()


def is_director_of(user: User, community: Area) -> bool:
    return _active(user) and user.role == Role.COMMUNITY_DIRECTOR and user.area_id == community.pk


def is_supervisor_of(user: User, area: Area) -> bool:
    """`area` is a street or one of its communities."""
    return _active(user) and user.role == Role.STREET_SUPERVISOR and keeps_area(user, area)


def community_has_director(community: Area) -> bool:
    return User.objects.filter(role=Role.COMMUNITY_DIRECTOR, area=community, is_active=True).exists()


def can_assess(user: User, child: Child) -> bool:
    """The community's director; the street's supervisor only where no director is appointed."""
    if not child.is_active:
        return False
    if is_director_of(user, child.residence_area):
        return True
    return is_supervisor_of(user, child.residence_area) and not community_has_director(child.residence_area)


def can_review(user: User, assessment: RiskAssessment) -> bool:
    return (
        assessment.state == AssessmentState.SUBMITTED
        and assessment.assessed_by_id != user.pk
        and is_supervisor_of(user, assessment.child.residence_area)
    )


def is_supervisor_of_street(user: User, street: Area) -> bool:
    return _active(user) and user.role == Role.STREET_SUPERVISOR and user.area_id == street.pk


# ----- one helper per object type ---------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentAccess:
    assessment: RiskAssessment
    child: Child
    can_review: bool


def get_assessment_for_user(request: AuthenticatedHttpRequest, pk: int) -> AssessmentAccess:
    assessment = RiskAssessment.objects.select_related("assessed_by", "reviewed_by").filter(pk=pk).first()
    if assessment is None:
        raise Http404
    child, _can_edit = get_child_for_user(request, assessment.child_id, purpose="risk assessment")
    assessment.child = child
    return AssessmentAccess(assessment, child, can_review(request.user, assessment))


def get_task_for_user(request: AuthenticatedHttpRequest, pk: int) -> Task:
    task = Task.objects.select_related("street", "child", "report").filter(pk=pk).first()
    if task is None or not is_supervisor_of_street(request.user, task.street):
        raise Http404  # out of scope answers as missing: nothing tells that the task exists
    return task


@dataclass(frozen=True)
class AssistanceAccess:
    assistance: Assistance
    child: Child
    can_edit: bool


def get_assistance_for_user(request: AuthenticatedHttpRequest, pk: int) -> AssistanceAccess:
    assistance = Assistance.objects.select_related("created_by", "closed_by").filter(pk=pk).first()
    if assistance is None:
        raise Http404
    child, can_edit = get_child_for_user(request, assistance.child_id, purpose="one-to-one assistance")
    assistance.child = child
    return AssistanceAccess(assistance, child, can_edit and assistance.is_open)
