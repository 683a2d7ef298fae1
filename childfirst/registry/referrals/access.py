"""Who sees and works a referral: the department it went to (the child's name, age, sex and
community only, while open) and the keepers of the child's file."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import DEPARTMENT_ROLES, User
from childfirst.registry.casework.access import _active, is_supervisor_of
from childfirst.registry.children.access import get_child_for_user
from childfirst.registry.models import (
    Child,
    Referral,
)


def is_department_user_of(user: User, referral: Referral) -> bool:
    return _active(user) and user.role in DEPARTMENT_ROLES and user.department_id == referral.department_id


@dataclass(frozen=True)
class ReferralAccess:
    referral: Referral
    child: Child | None  # None: a department's closed referral, whose child it no longer sees
    as_department: bool  # sees only the fields the referral needs
    can_update: bool  # add progress notes
    can_close: bool


def get_referral_for_user(request: AuthenticatedHttpRequest, pk: int) -> ReferralAccess:
    """A department sees its referrals (the child only while open); the file's keepers see all of
    the child's referrals. Anyone else is refused."""
    referral = Referral.objects.select_related("department", "opened_by", "closed_by").filter(pk=pk).first()
    if referral is None:
        raise Http404
    user = request.user
    if is_department_user_of(user, referral):
        child = None
        if referral.is_open:
            child, _can_edit = get_child_for_user(request, referral.child_id, purpose="referral")
        return ReferralAccess(referral, child, True, referral.is_open, referral.is_open)
    if user.role in DEPARTMENT_ROLES:
        raise Http404  # another department's referral answers as missing
    child, can_edit = get_child_for_user(request, referral.child_id, purpose="referral")
    keeper = can_edit and referral.is_open
    return ReferralAccess(referral, child, False, keeper, keeper and is_supervisor_of(user, child.residence_area))
