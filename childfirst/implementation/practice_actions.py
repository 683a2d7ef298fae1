"""Every state change of good practices (好做法好经验): submitted by a department or a street, published
on the open-data portal or declined by the office, withdrawn from the portal by it. One function each,
atomic, audited, notified.

What is published must hold no personal data: the title and text are checked when submitted and again
when published (a child may have been registered in between) — an ID number or a registered child's name
is refused with where it was found, never what. Photos lose their metadata (photos.py); the submitter
confirms that no child's face can be recognised on them."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.accounts.audit import record
from childfirst.accounts.models import DEPARTMENT_ROLES, Role, User
from childfirst.plans.access import acts_on_plan
from childfirst.plans.models import Indicator, Plan

from . import followup_notices as notices
from .access import may_submit_practice
from .documents import IMAGE_KINDS, check_upload, store_document
from .models import GoodPractice, PracticeState
from .personal_data import find_personal_data, parts_of
from .photos import without_metadata


class PracticeError(Exception):
    """A request that cannot be carried out as asked (the state moved on); the message says why."""


def check_no_personal_data(title: str, text: str) -> None:
    """ValidationError listing where personal data was found (never what)."""
    problems = find_personal_data(parts_of(title, text))
    if problems:
        raise ValidationError(problems, code="personal_data")


def _require_office(user: User | None, plan: Plan) -> None:
    if user is not None and not (user.role == Role.OFFICE and acts_on_plan(user, plan)):
        raise PermissionDenied(_("Only the office of the plan's district can do this."))


@transaction.atomic
def do_submit_practice(
    actor: User,
    plan: Plan,
    *,
    year: int,
    title: str,
    text: str,
    indicators: Sequence[Indicator] = (),
    photos: Sequence[UploadedFile] = (),
    no_faces_confirmed: bool = False,
    request: HttpRequest | None = None,
    is_synthetic: bool = False,
) -> GoodPractice:
    """A department's or street's case, from the user's own department or street."""
    if not may_submit_practice(actor, plan):
        raise PermissionDenied(_("Departments and street supervisors of the plan's district submit good practices."))
    check_no_personal_data(title, text)
    if photos and not no_faces_confirmed:
        raise ValidationError(
            {"no_faces": _("Confirm that no child's face can be recognised on the photos.")}, code="no_faces"
        )
    if any(i.plan_id != plan.pk for i in indicators):
        raise ValidationError({"indicators": _("Choose indicators of this plan.")})
    checked = [(upload, *check_upload(upload, kinds=IMAGE_KINDS)) for upload in photos]
    practice = GoodPractice.objects.create(
        plan=plan,
        year=year,
        title=title,
        text=text,
        department=actor.department if actor.role in DEPARTMENT_ROLES else None,
        area=actor.area if actor.role == Role.STREET_SUPERVISOR else None,
        submitted_at=timezone.now(),
        submitted_by=actor,
        is_synthetic=is_synthetic,
    )
    practice.indicators.set(indicators)
    for upload, content_type, content in checked:
        clean = without_metadata(content_type, content, upload.name or "")
        store_document("practice", practice, SimpleUploadedFile(upload.name or "photo", clean, content_type), actor)
    record(
        "implementation.practice_submitted",
        actor=actor,
        obj=practice,
        area_code=(practice.area or plan.area).code,
        request=request,
        plan=plan.code,
        year=year,
        indicators=[i.code for i in indicators],
        photos=len(checked),
    )
    notices.tell_practice_submitted(practice)
    return practice


def _decide(
    actor: User | None,
    practice: GoodPractice,
    *,
    allowed_from: set[str],
    to: PracticeState,
    action: str,
    request: HttpRequest | None,
) -> None:
    _require_office(actor, practice.plan)
    fresh = GoodPractice.objects.select_for_update().get(pk=practice.pk)
    if fresh.state not in allowed_from:
        raise PracticeError(
            _("This good practice is %(state)s: nothing was changed.") % {"state": fresh.get_state_display()}
        )
    practice.state, practice.decided_at, practice.decided_by = to, timezone.now(), actor
    practice.save(update_fields=["state", "decided_at", "decided_by"])
    record(action, actor=actor, obj=practice, area_code=practice.plan.area.code, request=request, state=str(to))
    notices.tell_practice_decided(practice)


@transaction.atomic
def do_publish_practice(actor: User | None, practice: GoodPractice, *, request: HttpRequest | None = None) -> None:
    """Publish it on the portal with its related indicators and photos (checked once more first)."""
    _require_office(actor, practice.plan)
    check_no_personal_data(practice.title, practice.text)
    _decide(
        actor,
        practice,
        allowed_from={PracticeState.SUBMITTED, PracticeState.WITHDRAWN},
        to=PracticeState.PUBLISHED,
        action="implementation.practice_published",
        request=request,
    )


@transaction.atomic
def do_decline_practice(actor: User | None, practice: GoodPractice, *, request: HttpRequest | None = None) -> None:
    """Not selected for publication; it stays visible to the office and the submitter."""
    _decide(
        actor,
        practice,
        allowed_from={PracticeState.SUBMITTED},
        to=PracticeState.DECLINED,
        action="implementation.practice_declined",
        request=request,
    )


@transaction.atomic
def do_withdraw_practice(actor: User | None, practice: GoodPractice, *, request: HttpRequest | None = None) -> None:
    """Take a published practice off the portal (it may be published again)."""
    _decide(
        actor,
        practice,
        allowed_from={PracticeState.PUBLISHED},
        to=PracticeState.WITHDRAWN,
        action="implementation.practice_withdrawn",
        request=request,
    )
