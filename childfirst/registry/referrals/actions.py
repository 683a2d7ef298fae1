"""Each state change of a referral is one function here: it checks permission, makes the change
and writes its audit row in one transaction."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.accounts.audit import record
from childfirst.accounts.models import User
from childfirst.plans.models import Department
from childfirst.registry.casework.access import is_supervisor_of
from childfirst.registry.casework.actions import CaseworkError, _past_date, _require, _text
from childfirst.registry.children.access import keeps_area, require_edit
from childfirst.registry.models import (
    Child,
    Referral,
    ReferralState,
    ReferralUpdate,
)

from .access import is_department_user_of

# ----- referrals --------------------------------------------------------------------------------


@transaction.atomic
def do_refer(
    actor: User, child: Child, *, department: Department, reason: str, request: HttpRequest | None = None
) -> Referral:
    """Refer the child to a member department of its district; one open referral per department."""
    require_edit(actor, child)
    if not department.area.contains(child.residence_area):
        raise CaseworkError(_("Department: choose a department of the child's district."))
    if Referral.objects.open().filter(child=child, department=department).exists():
        raise CaseworkError(_("Department: the child already has an open referral to this department."))
    referral = Referral.objects.create(
        child=child, department=department, reason=_text(reason, _("Reason")), opened_by=actor
    )
    record(
        "registry.referral_open",
        actor=actor,
        obj=referral,
        area_code=child.residence_area.code,
        request=request,
        child=child.pk,
        department=department.code,
    )
    return referral


def _lock_open_referral(referral: Referral) -> Referral:
    referral = (
        Referral.objects.select_for_update().select_related("child__residence_area", "department").get(pk=referral.pk)
    )
    if referral.state != ReferralState.OPEN:
        raise CaseworkError(_("This referral is closed."))
    return referral


@transaction.atomic
def do_update_referral(
    actor: User, referral: Referral, *, date: datetime.date, note: str, request: HttpRequest | None = None
) -> ReferralUpdate:
    """A progress note: by the department referred to, or by the file's keepers."""
    referral = _lock_open_referral(referral)
    _require(is_department_user_of(actor, referral) or keeps_area(actor, referral.child.residence_area))
    update = ReferralUpdate.objects.create(
        referral=referral,
        date=_past_date(date, _("Date"), not_before=timezone.localdate(referral.opened_at)),
        note=_text(note, _("Progress")),
        recorded_by=actor,
    )
    record(
        "registry.referral_progress",
        actor=actor,
        obj=referral,
        area_code=referral.child.residence_area.code,
        request=request,
        child=referral.child_id,
        department=referral.department.code,
    )
    return update


@transaction.atomic
def do_close_referral(actor: User, referral: Referral, *, outcome: str, request: HttpRequest | None = None) -> Referral:
    """Closed with its outcome by the department, or withdrawn by the street supervisor. The
    department stops seeing the child at once (visible_to follows open referrals)."""
    referral = _lock_open_referral(referral)
    _require(
        is_department_user_of(actor, referral) or is_supervisor_of(actor, referral.child.residence_area),
        _("A referral is closed by the department it was made to, or by the street's child supervisor."),
    )
    referral.outcome = _text(outcome, _("Outcome"))
    referral.state, referral.closed_by, referral.closed_at = ReferralState.CLOSED, actor, timezone.now()
    referral.save()
    record(
        "registry.referral_close",
        actor=actor,
        obj=referral,
        area_code=referral.child.residence_area.code,
        request=request,
        child=referral.child_id,
        department=referral.department.code,
    )
    return referral
