"""State changes of section 四's machinery: each one function, atomic, permission-checked, audited."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.accounts.audit import record
from childfirst.accounts.models import Role, User
from childfirst.plans.access import acts_on_plan
from childfirst.plans.models import Plan

from .models import ScorecardWeights
from .scorecard import parse_weights


@transaction.atomic
def do_upload_scorecard_weights(actor: User, plan: Plan, raw: bytes, name: str) -> ScorecardWeights:
    """Put a new weights file for the plan's scorecard in force, after checking all of it
    (DataFileInvalid names every problem; nothing is stored then). The earlier files stay."""
    if actor.role != Role.OFFICE or not acts_on_plan(actor, plan):
        raise PermissionDenied(_("Only the office sets the scorecard's weights."))
    parse_weights(raw, name)  # raises before anything is written
    sha = hashlib.sha256(raw).hexdigest()
    upload = ScorecardWeights.objects.create(
        plan=plan,
        name=name[:200],
        content=raw.decode("utf-8-sig"),
        sha256=sha,
        uploaded_at=timezone.now(),
        uploaded_by=actor,
    )
    record(
        "implementation.scorecard_weights",
        actor=actor,
        obj=upload,
        area_code=plan.area.code,
        plan=plan.code,
        sha256=sha,
        size=len(raw),
    )
    return upload
