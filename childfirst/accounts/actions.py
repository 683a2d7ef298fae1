"""State changes of accounts: one function each, checking permission, auditing, atomic."""

from __future__ import annotations

import datetime

from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from childfirst.areas.models import Area
from childfirst.plans.models import Department

from .audit import record
from .models import Role, User


def _require_office(actor: User | None) -> None:
    """None is the system itself (console commands run by the operator)."""
    if actor is not None and actor.role != Role.OFFICE:
        raise PermissionDenied(_("Only the office manages accounts."))


@transaction.atomic
def do_create_user(
    actor: User | None,
    *,
    username: str,
    password: str,
    role: Role,
    full_name: str = "",
    department: Department | None = None,
    area: Area | None = None,
    access_expires_at: datetime.datetime | None = None,
    is_demo: bool = False,
    phone: str = "",
) -> User:
    """Create an account; raises ValidationError (nothing saved) if the role, scope or password is wrong."""
    _require_office(actor)
    user = User(
        username=username,
        first_name=full_name,
        role=role,
        department=department,
        area=area,
        access_expires_at=access_expires_at,
        is_demo=is_demo,
        phone=phone.strip(),
    )
    problems: list[str] = []
    for check in (lambda: user.full_clean(exclude=["password"]), lambda: validate_password(password, user)):
        try:
            check()
        except ValidationError as exc:
            problems.extend(exc.messages)
    if problems:
        raise ValidationError(problems)
    user.set_password(password)
    user.save()
    record(
        "account.create",
        actor=actor,
        obj=user,
        area_code=area.code if area else "",
        role=role,
        department=department.code if department else None,
    )
    return user


@transaction.atomic
def do_change_user_role(
    actor: User | None,
    user: User,
    *,
    role: Role,
    department: Department | None = None,
    area: Area | None = None,
    access_expires_at: datetime.datetime | None = None,
) -> User:
    _require_office(actor)
    before = {
        "role": user.role,
        "department": user.department.code if user.department else None,
        "area": user.area.code if user.area else None,
    }
    user.role, user.department, user.area, user.access_expires_at = role, department, area, access_expires_at
    user.full_clean(exclude=["password"])
    user.save()
    record(
        "account.change_role",
        actor=actor,
        obj=user,
        area_code=area.code if area else "",
        before=before,
        after={
            "role": role,
            "department": department.code if department else None,
            "area": area.code if area else None,
        },
    )
    return user


@transaction.atomic
def do_set_password(actor: User | None, user: User, password: str) -> None:
    if actor is not None and actor != user:
        _require_office(actor)
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    record("account.set_password", actor=actor, obj=user)


@transaction.atomic
def do_unlock(actor: User | None, attempt: AccessAttempt) -> int:
    """Lift a lockout: forget the failed attempts of that user name from that address (every
    browser). Returns how many attempt records were removed."""
    _require_office(actor)
    removed, _detail = AccessAttempt.objects.filter(username=attempt.username, ip_address=attempt.ip_address).delete()
    record(
        "account.unlocked",
        actor=actor,
        username=attempt.username,
        ip_address=attempt.ip_address,
        failures=attempt.failures_since_start,
    )
    return removed
