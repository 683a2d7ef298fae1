"""State changes of accounts: one function each, checking permission, auditing, atomic."""

from __future__ import annotations

import datetime
import secrets
import string

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


def _require_within_district(actor: User | None, area: Area | None, department: Department | None) -> None:
    """An office manages accounts of its own district only, and every account it makes has a scope
    there (an account without one would see every district)."""
    if actor is None:
        return
    scope = actor.scope_area()
    if scope is None:
        return
    places = [p for p in (area, department.area if department else None) if p is not None]
    if not places:
        raise ValidationError({"area": _("Choose the area the account is limited to.")})
    if not all(scope.contains(place) for place in places):
        raise PermissionDenied(_("You manage the accounts of your own district only."))


def _require_manages(actor: User | None, user: User) -> None:
    """The office, and only for an account already scoped inside its district."""
    _require_office(actor)
    if actor is not None and actor.scope_area() is not None:
        if user.area is None and user.department is None:
            raise PermissionDenied(_("You manage the accounts of your own district only."))
        _require_within_district(actor, user.area, user.department)


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
    """Create an account; raises ValidationError (nothing saved) if the role, scope or password is
    wrong, each problem under its field's name ("password" for the password's)."""
    _require_office(actor)
    _require_within_district(actor, area, department)
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
    problems: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            problems.setdefault(name, []).extend(messages)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        problems.setdefault("password", []).extend(exc.messages)
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
    full_name: str | None = None,
    phone: str | None = None,
) -> User:
    """Change an account's role and scope (and, when given, its name and work phone)."""
    _require_manages(actor, user)
    _require_within_district(actor, area, department)
    if (
        actor is not None
        and actor.pk == user.pk
        and (role != user.role or area != user.area or department != user.department)
    ):
        # An office that narrows its own scope or drops its role could not undo it.
        raise PermissionDenied(_("You cannot change your own role or scope: ask another office account."))
    before = {
        "role": user.role,
        "department": user.department.code if user.department else None,
        "area": user.area.code if user.area else None,
    }
    user.role, user.department, user.area, user.access_expires_at = role, department, area, access_expires_at
    if full_name is not None:
        user.first_name = full_name.strip()
    if phone is not None:
        user.phone = phone.strip()
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


@transaction.atomic
def do_set_active(actor: User | None, user: User, *, active: bool) -> User:
    """Deactivate (the account can no longer sign in, its sessions and API tokens stop working)
    or reactivate an account. Reversible, so the office is offered the undo, not a confirmation."""
    _require_manages(actor, user)
    if actor is not None and actor.pk == user.pk and not active:
        raise PermissionDenied(_("You cannot deactivate your own account."))
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    record(
        "account.reactivate" if active else "account.deactivate",
        actor=actor,
        obj=user,
        area_code=user.area.code if user.area else "",
        username=user.get_username(),
    )
    return user


# No characters that are easily misread when a password is read out or copied from paper (0/O, 1/l/I).
PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
PASSWORD_SYMBOLS = "-+=#%"  # noqa: S105 - the separators generated passwords are drawn from, not a password


def generate_password(user: User) -> str:
    """A random password that meets every configured validator: four groups of four letters and
    digits joined by a symbol, e.g. "Xk7p-9Hqs-Tm3e-Ruv8" (about 95 bits)."""
    while True:
        groups = ["".join(secrets.choice(PASSWORD_ALPHABET) for _char in range(4)) for _group in range(4)]
        password = secrets.choice(PASSWORD_SYMBOLS).join(groups)
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password


@transaction.atomic
def do_reset_password(actor: User | None, user: User) -> str:
    """Give the account a new generated password and return it; the caller shows it once. The old
    password stops working at once, which cannot be undone."""
    _require_manages(actor, user)
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied(_("Change your own password on your account page."))
    password = generate_password(user)
    user.set_password(password)
    user.save(update_fields=["password"])
    record("account.reset_password", actor=actor, obj=user, username=user.get_username())
    return password
