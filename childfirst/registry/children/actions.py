"""Every change to a child file, one `do_*` function each: atomic, with its audit row
(accounts.audit.record) and its access-log row in the same transaction.

Audit rows name a child by file number only — never a name, ID number or date of birth — and
say which fields changed, not their values.
"""

from __future__ import annotations

import datetime
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.accounts.audit import record
from childfirst.accounts.models import Role, User
from childfirst.areas.models import Area, Level
from childfirst.registry import notices
from childfirst.registry.models import (
    AccessAction,
    CategoryType,
    Child,
    ChildAccessLog,
    ChildCategory,
    ChildPhoto,
    ChildStatus,
    ExitReason,
    GrantState,
    Guardian,
    Referral,
    ReferralState,
    RegistryGrant,
    Sex,
)
from childfirst.registry.tally import maintain as tally

from . import crypto
from .access import can_reveal_id, keeps_area, log_access, require_edit
from .idnumber import parse_id_number
from .names import check_name, normalise_name, pinyin_keys, sort_key

ADULT_AGE = 18
MAX_PHOTO_BYTES = 2 * 1024 * 1024
PHOTO_SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
# Fields a keeper may change through do_update_child (the ID number separately, as `id_number`).
EDITABLE_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "birth_date_estimated",
    "hukou_area",
    "hukou_place",
    "residence_area",
    "address",
    "school",
    "grade",
    "note",
)


class DuplicateChild(ValidationError):
    """A file with this ID number exists already; `existing` is set only when the user may see it.
    `existing_pk` is always set, for record_duplicate_refusal (never shown to the user)."""

    def __init__(self, message: str, existing: Child | None, existing_pk: int | None = None):
        super().__init__({"id_number": [message]})
        self.existing = existing
        self.existing_pk = existing.pk if existing is not None else existing_pk


class StaleEdit(Exception):
    """The file changed since the form was opened; the message says who changed it and when."""


@dataclass
class GuardianData:
    name: str
    relation: str
    phone: str = ""
    is_primary: bool = False


@dataclass
class ChildData:
    """What a form (or the API, or the demo) gives to open a file."""

    name: str
    sex: str
    birth_date: datetime.date
    residence_area: Area
    id_number: str = ""
    # Worked out from an approximate age (a foundling): shown as estimated; never with an ID number.
    birth_date_estimated: bool = False
    hukou_area: Area | None = None
    hukou_place: str = ""
    address: str = ""
    school: str = ""
    grade: str = ""
    note: str = ""
    guardians: list[GuardianData] = field(default_factory=list)
    categories: list[tuple[CategoryType, datetime.date, str]] = field(default_factory=list)


def _area_code(child: Child) -> str:
    return child.residence_area.code if child.residence_area_id else ""


def _check_residence(area: Area) -> None:
    if area.level != Level.COMMUNITY or not area.is_valid_on():
        raise ValidationError({"residence_area": [_("Choose a community that exists today.")]})


def _check_age(birth_date: datetime.date) -> None:
    today = timezone.localdate()
    if birth_date > today:
        raise ValidationError({"birth_date": [_("The date of birth is in the future.")]})
    age = today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
    if age >= ADULT_AGE:
        raise ValidationError({"birth_date": [_("Files are kept for children under 18; this person is 18 or older.")]})


def _apply_id_number(child: Child, raw: str) -> None:
    """Checks `raw` against the child's sex and date of birth, then stores it encrypted; an empty
    `raw` clears it (a child without household registration). An ID number holds the exact date of
    birth, so a date marked estimated is refused beside it."""
    if not raw.strip():
        child.id_nonce = child.id_ciphertext = child.id_hash = None
        child.id_masked = ""
        return
    _refuse_estimate_with_id(child)
    try:
        parsed = parse_id_number(raw, birth_date=child.birth_date, sex=child.sex)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    child.id_nonce, child.id_ciphertext = crypto.encrypt(parsed.number)
    child.id_hash = crypto.lookup_hash(parsed.number)
    child.id_masked = parsed.masked


def _refuse_estimate_with_id(child: Child) -> None:
    if child.birth_date_estimated:
        raise ValidationError(
            {
                "birth_date_estimated": [
                    _("The ID number gives the exact date of birth: enter that date and untick “estimated”.")
                ]
            }
        )


def _refuse_duplicate(actor: User, child: Child) -> None:
    if child.id_hash is None:
        return
    existing = Child.objects.exclude(pk=child.pk).filter(id_hash=child.id_hash).first()
    if existing is None:
        return
    visible = Child.objects.visible_to(actor).filter(pk=existing.pk).exists()
    if visible:
        message = _("A file for this ID number exists already (file %(pk)s): open it instead of making a second.") % {
            "pk": existing.pk
        }
    else:
        # Says nothing about where (or whether) the number is on file: refusing is unavoidable,
        # telling a director about other areas is not. The probe is logged (record_duplicate_refusal).
        message = _("A file cannot be opened with this ID number. Check the number; if it is right, ask the office.")
    raise DuplicateChild(message, existing if visible else None, existing.pk)


# The access-log purpose of a refused second file (stored as typed, like the users' purposes).
DUPLICATE_PURPOSE = "新建档案时输入了此身份证号，已拒绝"


def record_duplicate_refusal(actor: User, refusal: DuplicateChild, *, request: HttpRequest | None = None) -> None:
    """Log a refused second file for an ID number, after do_create_child / do_update_child rolled
    back: on the existing file's access log (its keepers see that someone typed their child's
    number) and in the audit log. Neither holds the number."""
    if refusal.existing_pk is None:
        return
    existing = Child.objects.select_related("residence_area").filter(pk=refusal.existing_pk).first()
    if existing is None:
        return
    with transaction.atomic():
        log_access(request or actor, existing, AccessAction.SEARCH, DUPLICATE_PURPOSE)
        record(
            "registry.duplicate_refused",
            actor=actor,
            obj=existing,
            area_code=_area_code(existing),
            request=request,
            visible=refusal.existing is not None,
        )


def _set_names(child: Child) -> None:
    try:
        check_name(child.name)
    except ValidationError as exc:
        raise ValidationError({"name": exc.messages}) from None
    child.name = normalise_name(child.name)
    if not child.name:
        raise ValidationError({"name": [_("The name is required.")]})
    if child.sex not in Sex.values:
        raise ValidationError({"sex": [_("The sex is male or female.")]})
    child.name_pinyin, child.name_initials = pinyin_keys(child.name)
    child.name_sort = sort_key(child.name)


@transaction.atomic
def do_create_child(
    actor: User, data: ChildData, *, request: HttpRequest | None = None, is_synthetic: bool = False
) -> Child:
    """Open a file. Refuses a second file for the same ID number (found by its keyed hash)."""
    _check_residence(data.residence_area)
    if not keeps_area(actor, data.residence_area):
        raise PermissionDenied(_("You can open files only for children living in your area."))
    _check_age(data.birth_date)
    now = timezone.now()
    child = Child(
        name=data.name,
        sex=data.sex,
        birth_date=data.birth_date,
        birth_date_estimated=data.birth_date_estimated,
        residence_area=data.residence_area,
        hukou_area=data.hukou_area,
        hukou_place=data.hukou_place.strip(),
        address=data.address.strip(),
        school=data.school.strip(),
        grade=data.grade,
        note=data.note.strip(),
        is_synthetic=is_synthetic,
        created_by=actor,
        updated_by=actor,
        created_at=now,
        updated_at=now,
    )
    _set_names(child)
    _apply_id_number(child, data.id_number)
    _refuse_duplicate(actor, child)
    try:
        with transaction.atomic():
            child.save()
    except IntegrityError:  # the same number saved by someone else a moment ago
        _refuse_duplicate(actor, child)
        raise
    primaries = [g for g in data.guardians if g.is_primary]
    for index, guardian in enumerate(data.guardians):
        try:
            check_name(guardian.name)
        except ValidationError as exc:
            raise ValidationError({f"guardians.{index}.name": exc.messages}) from None
        Guardian.objects.create(
            child=child,
            name=normalise_name(guardian.name),
            relation=guardian.relation,
            phone=guardian.phone.strip(),
            is_primary=guardian.is_primary if primaries else index == 0,
        )
    for category_type, start, evidence in data.categories:
        if start > timezone.localdate():  # the count table relies on it (tally/maintain.py)
            raise ValidationError({"categories": [_("The start date is in the future.")]})
        ChildCategory.objects.create(
            child=child, type=category_type, start=start, evidence=evidence.strip(), recorded_by=actor
        )
    tally.opened([child.pk])
    record(
        "registry.child_created",
        actor=actor,
        obj=child,
        area_code=_area_code(child),
        request=request,
        guardians=len(data.guardians),
        categories=[c.code for c, _start, _evidence in data.categories],
        has_id_number=child.id_hash is not None,
    )
    log_access(request or actor, child, AccessAction.CREATE)
    return child


@transaction.atomic
def do_update_child(
    actor: User,
    child: Child,
    *,
    version: int,
    changes: dict[str, Any],
    id_number: str | None = None,
    request: HttpRequest | None = None,
) -> Child:
    """Change the file's own fields (`changes`, keys from EDITABLE_FIELDS; `id_number` None keeps
    the number). Optimistic locking: `version` is the one the form was opened on, and a file
    changed since then is refused with who changed it."""
    locked = (
        Child.objects.select_for_update(of=("self",)).select_related("residence_area", "updated_by").get(pk=child.pk)
    )
    require_edit(actor, locked)
    if locked.version != version:
        raise StaleEdit(
            _("This file was changed by %(user)s at %(time)s, after you opened it. Nothing was saved.")
            % {
                "user": locked.updated_by.get_username() if locked.updated_by else _("the system"),
                "time": timezone.localtime(locked.updated_at).strftime("%Y-%m-%d %H:%M"),
            }
        )
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    changed = [name for name, value in changes.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, changes[name])
    if "residence_area" in changed:
        _check_residence(locked.residence_area)
    if "birth_date" in changed:
        _check_age(locked.birth_date)
    if {"name", "sex"} & set(changed):
        _set_names(locked)
    id_changed = False
    if id_number is not None:
        old_hash = locked.id_hash
        _apply_id_number(locked, id_number)
        id_changed = locked.id_hash != old_hash
    elif locked.id_hash is not None and ({"sex", "birth_date", "birth_date_estimated"} & set(changed)):
        _refuse_estimate_with_id(locked)
        # The stored number must still agree with the sex and date of birth.
        try:
            parse_id_number(
                crypto.decrypt(locked.id_nonce, locked.id_ciphertext), birth_date=locked.birth_date, sex=locked.sex
            )
        except ValidationError as exc:
            raise ValidationError({"id_number": exc.messages}) from None
    if id_changed:
        _refuse_duplicate(actor, locked)
        changed.append("id_number")
    if not changed:
        return locked
    from_area = child.residence_area.code if "residence_area" in changed else None
    locked.version += 1
    locked.updated_by = actor
    locked.updated_at = timezone.now()
    # A move changes the street the child counts in.
    counting = tally.changing([locked.pk]) if "residence_area" in changed else nullcontext()
    try:
        with counting, transaction.atomic():
            locked.save()
    except IntegrityError:
        _refuse_duplicate(actor, locked)
        raise
    detail: dict[str, Any] = {"fields": sorted(changed), "version": locked.version}
    if from_area is not None:
        detail["moved_from"] = from_area
    record("registry.child_updated", actor=actor, obj=locked, area_code=_area_code(locked), request=request, **detail)
    log_access(request or actor, locked, AccessAction.EDIT)
    return locked


@transaction.atomic
def do_add_guardian(actor: User, child: Child, data: GuardianData, *, request: HttpRequest | None = None) -> Guardian:
    require_edit(actor, child)
    try:
        check_name(data.name)
    except ValidationError as exc:
        raise ValidationError({"name": exc.messages}) from None
    name = normalise_name(data.name)
    if not name:
        raise ValidationError({"name": [_("The name is required.")]})
    if data.is_primary:
        child.guardians.filter(is_primary=True).update(is_primary=False)
    is_primary = data.is_primary or not child.guardians.exists()
    guardian = Guardian.objects.create(
        child=child, name=name, relation=data.relation, phone=data.phone.strip(), is_primary=is_primary
    )
    record("registry.guardian_added", actor=actor, obj=child, area_code=_area_code(child), request=request)
    log_access(request or actor, child, AccessAction.EDIT)
    return guardian


@transaction.atomic
def do_remove_guardian(actor: User, guardian: Guardian, *, request: HttpRequest | None = None) -> None:
    child = guardian.child
    require_edit(actor, child)
    was_primary = guardian.is_primary
    guardian.delete()
    if was_primary:
        successor = child.guardians.order_by("pk").first()
        if successor is not None:
            successor.is_primary = True
            successor.save(update_fields=["is_primary"])
    record("registry.guardian_removed", actor=actor, obj=child, area_code=_area_code(child), request=request)
    log_access(request or actor, child, AccessAction.EDIT)


@transaction.atomic
def do_add_category(
    actor: User,
    child: Child,
    category_type: CategoryType,
    start: datetime.date,
    evidence: str = "",
    *,
    request: HttpRequest | None = None,
) -> ChildCategory:
    """Record that the child falls in a category from `start`; refused while the same category is open."""
    require_edit(actor, child)
    if start > timezone.localdate():
        raise ValidationError({"start": [_("The start date is in the future.")]})
    if start < child.birth_date:
        raise ValidationError({"start": [_("The start date is before the child's date of birth.")]})
    if child.categories.filter(type=category_type, end__isnull=True).exists():
        raise ValidationError(
            {"type": [_("The child is already in this category; end it first to record a new period.")]}
        )
    with tally.changing([child.pk]):
        category = ChildCategory.objects.create(
            child=child, type=category_type, start=start, evidence=evidence.strip(), recorded_by=actor
        )
    record(
        "registry.category_added",
        actor=actor,
        obj=child,
        area_code=_area_code(child),
        request=request,
        category=category_type.code,
    )
    log_access(request or actor, child, AccessAction.EDIT)
    return category


@transaction.atomic
def do_end_category(
    actor: User, category: ChildCategory, end: datetime.date, *, request: HttpRequest | None = None
) -> ChildCategory:
    """The category no longer applies from `end` (its first day without it)."""
    child = category.child
    require_edit(actor, child)
    if category.end is not None:
        raise ValidationError({"end": [_("This category has ended already.")]})
    if end <= category.start:
        raise ValidationError({"end": [_("The end must be after the start (%(start)s).") % {"start": category.start}]})
    if end > timezone.localdate() + datetime.timedelta(days=1):
        raise ValidationError({"end": [_("The end date is in the future.")]})
    category.end = end
    category.ended_by = actor
    with tally.changing([child.pk]):
        category.save(update_fields=["end", "ended_by"])
    record(
        "registry.category_ended",
        actor=actor,
        obj=child,
        area_code=_area_code(child),
        request=request,
        category=category.type.code,
    )
    log_access(request or actor, child, AccessAction.EDIT)
    return category


@transaction.atomic
def do_exit_child(
    actor: User,
    child: Child,
    reason: str,
    date: datetime.date,
    note: str = "",
    *,
    request: HttpRequest | None = None,
) -> Child:
    """Close the file: read-only from now on, purged after the retention period. Its open
    categories end on the exit date and its open referrals close."""
    locked = Child.objects.select_for_update(of=("self",)).select_related("residence_area").get(pk=child.pk)
    require_edit(actor, locked)
    if reason not in ExitReason.values:
        raise ValidationError({"exit_reason": [_("Choose a reason for closing the file.")]})
    if date > timezone.localdate():
        raise ValidationError({"exit_date": [_("The exit date is in the future.")]})
    if date < locked.birth_date:
        raise ValidationError({"exit_date": [_("The exit date is before the child's date of birth.")]})
    locked.status = ChildStatus.EXITED
    locked.exit_reason = reason
    locked.exit_date = date
    locked.exit_note = note.strip()[:200]
    locked.version += 1
    locked.updated_by = actor
    locked.updated_at = timezone.now()
    ended = 0
    with tally.changing([locked.pk]):
        locked.save()
        for category in locked.categories.filter(end__isnull=True, start__lt=date):
            category.end = date
            category.ended_by = actor
            category.save(update_fields=["end", "ended_by"])
            ended += 1
    closed = Referral.objects.filter(child=locked, state=ReferralState.OPEN).update(
        state=ReferralState.CLOSED, closed_by=actor, closed_at=timezone.now(), outcome=_("The child's file was closed.")
    )
    record(
        "registry.child_exited",
        actor=actor,
        obj=locked,
        area_code=_area_code(locked),
        request=request,
        reason=reason,
        categories_ended=ended,
        referrals_closed=closed,
    )
    log_access(request or actor, locked, AccessAction.EXIT)
    return locked


@transaction.atomic
def do_reveal_id(actor: User, child: Child, purpose: str, *, request: HttpRequest | None = None) -> str:
    """The ID number in clear, for the file's keeper, with a stated purpose that is logged."""
    if not can_reveal_id(actor, child):
        raise PermissionDenied
    purpose = purpose.strip()
    if len(purpose) < 2:
        raise ValidationError({"purpose": [_("Say why you need the ID number (it is logged).")]})
    number = crypto.decrypt(child.id_nonce, child.id_ciphertext)
    record("registry.id_revealed", actor=actor, obj=child, area_code=_area_code(child), request=request)
    log_access(request or actor, child, AccessAction.REVEAL_ID, purpose)
    return number


def _photo_type(content: bytes) -> str:
    for signature, content_type in PHOTO_SIGNATURES.items():
        if content.startswith(signature):
            return content_type
    raise ValidationError({"photo": [_("The photo must be a JPEG or PNG image.")]})


@transaction.atomic
def do_set_photo(actor: User, child: Child, content: bytes, *, request: HttpRequest | None = None) -> ChildPhoto:
    require_edit(actor, child)
    if len(content) > MAX_PHOTO_BYTES:
        raise ValidationError({"photo": [_("The photo is larger than 2 MB.")]})
    content_type = _photo_type(content)
    photo, _created = ChildPhoto.objects.update_or_create(
        child=child,
        defaults={
            "content": content,
            "content_type": content_type,
            "uploaded_by": actor,
            "uploaded_at": timezone.now(),
        },
    )
    record(
        "registry.photo_set", actor=actor, obj=child, area_code=_area_code(child), request=request, bytes=len(content)
    )
    log_access(request or actor, child, AccessAction.EDIT)
    return photo


@transaction.atomic
def do_remove_photo(actor: User, child: Child, *, request: HttpRequest | None = None) -> None:
    require_edit(actor, child)
    deleted, _rows = ChildPhoto.objects.filter(child=child).delete()
    if deleted:
        record("registry.photo_removed", actor=actor, obj=child, area_code=_area_code(child), request=request)
        log_access(request or actor, child, AccessAction.EDIT)


def _grant_max_end(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(days=settings.REGISTRY_GRANT_MAX_DAYS)


def grant_too_long(now: datetime.datetime) -> str:
    """The refusal of a grant past the longest allowed (the form and the actions say the same)."""
    last_day = timezone.localtime(_grant_max_end(now)).date() - datetime.timedelta(days=1)
    return _("Until (last day): access is granted for at most %(days)s days, so no later than %(date)s.") % {
        "days": settings.REGISTRY_GRANT_MAX_DAYS,
        "date": last_day.isoformat(),
    }


def _require_office(actor: User, area: Area) -> None:
    """Only an active office user whose district holds `area` takes part in a grant."""
    if actor.role != Role.OFFICE or not actor.is_active or actor.access_expired() or not actor.can_see_area(area):
        raise PermissionDenied(_("Only the office grants access to child files."))


@transaction.atomic
def do_request_grant(
    actor: User,
    user: User,
    area: Area,
    reason: str,
    expires_at: datetime.datetime,
    *,
    request: HttpRequest | None = None,
) -> RegistryGrant:
    """Ask that an office user may read the child files of `area` until `expires_at` (at most
    settings.REGISTRY_GRANT_MAX_DAYS). Nothing opens until another office user approves it."""
    _require_office(actor, area)
    errors: dict[str, list[str]] = {}
    if user.role != Role.OFFICE or not user.is_active or not user.can_see_area(area):
        errors["user"] = [_("Access to child files is granted to active office users only.")]
    if not area.is_valid_on():
        errors["area"] = [_("This area no longer exists.")]
    if len(reason.strip()) < 2:
        errors["reason"] = [_("Give the reason for the access (it is recorded).")]
    now = timezone.now()
    if expires_at <= now:
        errors["expires_at"] = [_("The end of the access is in the past.")]
    elif expires_at > _grant_max_end(now):
        errors["expires_at"] = [grant_too_long(now)]
    if errors:
        raise ValidationError(errors)
    grant = RegistryGrant.objects.create(
        user=user,
        area=area,
        reason=reason.strip(),
        state=GrantState.PENDING,
        requested_by=actor,
        requested_at=now,
        expires_at=expires_at,
    )
    record(
        "registry.access_requested",
        actor=actor,
        obj=grant,
        area_code=area.code,
        request=request,
        user=user.pk,
        expires_at=expires_at.isoformat(),
    )
    notices.tell_grant_requested(grant, area)
    return grant


def _require_decider(actor: User, grant: RegistryGrant) -> None:
    _require_office(actor, grant.area)
    if actor.pk in (grant.requested_by_id, grant.user_id):
        raise PermissionDenied(
            _("A second office user decides on a request: neither the one who asked nor the one it names.")
        )
    if not grant.is_awaiting_approval():
        raise ValidationError(_("This request is no longer awaiting approval."), code="decided")


@transaction.atomic
def do_approve_grant(actor: User, grant: RegistryGrant, *, request: HttpRequest | None = None) -> RegistryGrant:
    """The second person's approval: from now until its end the grant opens the area's files."""
    grant = RegistryGrant.objects.select_for_update().select_related("area").get(pk=grant.pk)
    _require_decider(actor, grant)
    now = timezone.now()
    if grant.expires_at > _grant_max_end(now):
        raise ValidationError({"expires_at": [grant_too_long(now)]})
    if not grant.user.is_active or grant.user.role != Role.OFFICE:
        raise ValidationError({"user": [_("Access to child files is granted to active office users only.")]})
    grant.state = GrantState.APPROVED
    grant.decided_by = actor
    grant.decided_at = now
    grant.save(update_fields=["state", "decided_by", "decided_at"])
    record(
        "registry.access_granted",
        actor=actor,
        obj=grant,
        area_code=grant.area.code,
        request=request,
        user=grant.user_id,
        requested_by=grant.requested_by_id,
        expires_at=grant.expires_at.isoformat(),
    )
    return grant


@transaction.atomic
def do_reject_grant(
    actor: User, grant: RegistryGrant, reason: str, *, request: HttpRequest | None = None
) -> RegistryGrant:
    """The second person refuses the request, saying why."""
    grant = RegistryGrant.objects.select_for_update().select_related("area").get(pk=grant.pk)
    _require_decider(actor, grant)
    if len(reason.strip()) < 2:
        raise ValidationError({"rejection_reason": [_("Give the reason for the rejection (it is recorded).")]})
    grant.state = GrantState.REJECTED
    grant.decided_by = actor
    grant.decided_at = timezone.now()
    grant.rejection_reason = reason.strip()[:200]
    grant.save(update_fields=["state", "decided_by", "decided_at", "rejection_reason"])
    record("registry.access_rejected", actor=actor, obj=grant, area_code=grant.area.code, request=request)
    return grant


@transaction.atomic
def do_revoke_grant(actor: User, grant: RegistryGrant, *, request: HttpRequest | None = None) -> RegistryGrant:
    """End a grant in force, or withdraw a request: any office user of the district may (it only
    takes access away)."""
    grant = RegistryGrant.objects.select_for_update().select_related("area").get(pk=grant.pk)
    _require_office(actor, grant.area)
    if grant.revoked_at is not None or grant.state == GrantState.REJECTED:
        return grant
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor
    grant.save(update_fields=["revoked_at", "revoked_by"])
    record("registry.access_revoked", actor=actor, obj=grant, area_code=grant.area.code, request=request)
    return grant


def purgeable(retention_days: int | None = None, today: datetime.date | None = None) -> QuerySet[Child]:
    """Closed files whose exit is older than the retention period (settings.REGISTRY_RETENTION_DAYS)."""
    retention_days = settings.REGISTRY_RETENTION_DAYS if retention_days is None else retention_days
    cutoff = (today or timezone.localdate()) - datetime.timedelta(days=retention_days)
    return Child.objects.filter(status=ChildStatus.EXITED, exit_date__lte=cutoff)


@transaction.atomic
def do_purge_exited(
    actor: User | None = None, *, retention_days: int | None = None, today: datetime.date | None = None
) -> int:
    """Delete closed files past the retention period, with everything attached to them. Their
    access-log rows stay (they name the file number only); the audit row lists the numbers."""
    children = list(purgeable(retention_days, today).select_for_update().values_list("pk", flat=True))
    if not children:
        return 0
    for start in range(0, len(children), 500):
        batch = children[start : start + 500]
        log_access(actor, [Child(pk=pk) for pk in batch], AccessAction.PURGE)
        tally.forgetting(batch)  # their years before the exit no longer count: the files are gone
        Child.objects.filter(pk__in=batch).delete()
    record(
        "registry.children_purged",
        actor=actor,
        retention_days=settings.REGISTRY_RETENTION_DAYS if retention_days is None else retention_days,
        count=len(children),
        files=children,
    )
    return len(children)


# The database's own record of how long access-log rows are kept (registry migration 0006): its
# delete trigger refuses any row younger than this, and the period can only be raised.
RETENTION_TABLE = "registry_accesslogretention"


def access_log_retention_in_force() -> int:
    """Days the database keeps access-log rows before they may be deleted."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT days FROM {RETENTION_TABLE} WHERE id = 1")  # noqa: S608 (a constant)
        row = cursor.fetchone()
    return int(row[0])


def purgeable_access_log(retention_days: int) -> QuerySet[ChildAccessLog]:
    """Access-log rows older than the retention period, with a day's margin so that the database's
    clock (which its trigger uses) never finds one of them too young."""
    cutoff = timezone.now() - datetime.timedelta(days=retention_days + 1)
    return ChildAccessLog.objects.filter(created_at__lt=cutoff)


@transaction.atomic
def do_purge_access_log(actor: User | None = None) -> tuple[int, int]:
    """Delete access-log rows older than settings.ACCESS_LOG_RETENTION_DAYS, the one deletion the
    log's trigger allows. A longer configured period is first recorded in the database (raising it
    is allowed); a shorter one than the database's is not applied: lowering it is for the database
    owner. Returns (rows deleted, days applied); the audit row says both."""
    in_force = access_log_retention_in_force()
    days = settings.ACCESS_LOG_RETENTION_DAYS
    if days > in_force:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {RETENTION_TABLE} SET days = %s WHERE id = 1", [days])  # noqa: S608 (a constant)
        in_force = days
    # The queryset's own delete() refuses (the log is append-only); this is the sanctioned path.
    count, _detail = models.QuerySet.delete(purgeable_access_log(in_force))
    record("registry.access_log_purged", actor=actor, retention_days=in_force, count=count)
    return count, in_force
