"""Personal API tokens: making, revoking and checking them.

The secret is random, shown once, and only its SHA-256 is stored. A plain (unsalted) hash is
enough here because the secret has 256 bits of entropy: nothing can be guessed from the hash,
and a hash look-up keeps authenticating a request to one indexed query.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import record
from .models import ApiToken, Role, User

# Roles whose work is monitoring data (the data-value endpoints).
API_ROLES = {Role.DEPT_REPORTER, Role.DEPT_REVIEWER, Role.OFFICE, Role.LEADER, Role.EVALUATOR}
# Roles that may hold a token: also street supervisors and community directors, for the child-file
# endpoints (/api/children), which apply the registry's own access rules; the data-value endpoints
# still refuse them (API_ROLES).
TOKEN_ROLES = API_ROLES | {Role.STREET_SUPERVISOR, Role.COMMUNITY_DIRECTOR}
# Roles whose tokens can read child files through /api/children (every token role but leaders and
# evaluators): their tokens live API_TOKEN_DAYS_CHILD_FILES days at most, the others API_TOKEN_DAYS.
CHILD_FILE_ROLES = TOKEN_ROLES - {Role.LEADER, Role.EVALUATOR}
PREFIX_LENGTH = 8
# Writing last_used_at on every request would turn each read into a write; once a minute is enough
# to tell a live token from a forgotten one.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class TokenRefused(Exception):
    """The secret does not open the API (HTTP 401); the message says why, in the active language."""


class TokenError(Exception):
    """A token cannot be made or revoked as asked."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_life(user: User) -> datetime.timedelta:
    """How long a token of `user` may live at most (also its default life), from the settings."""
    days = settings.API_TOKEN_DAYS_CHILD_FILES if user.role in CHILD_FILE_ROLES else settings.API_TOKEN_DAYS
    return datetime.timedelta(days=days)


def _may_manage(actor: User | None, user: User) -> bool:
    """The operator (actor None), the office, or the token's own user."""
    return actor is None or actor.role == Role.OFFICE or actor.pk == user.pk


@transaction.atomic
def do_create_token(
    actor: User | None, user: User, *, name: str = "", expires_at: datetime.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user` and its secret, which is never stored: the caller shows it once.

    Every token expires: by default (and at the latest) after token_life(user) — shorter for
    roles that read child files — and never after the account's own access ends."""
    if not _may_manage(actor, user):
        raise PermissionDenied(_("Only the office or the user themselves can make an API token."))
    if user.role not in TOKEN_ROLES:
        raise PermissionDenied(_("This role does not use the data API."))
    if not user.is_active or user.access_expired():
        raise TokenError(_("The account is inactive or its access has expired."))
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise TokenError(_("The expiry date is in the past."))
    if expires_at is None or expires_at > now + token_life(user):
        expires_at = now + token_life(user)
    if user.access_expires_at is not None and expires_at > user.access_expires_at:
        expires_at = user.access_expires_at
    for _attempt in range(10):
        secret = secrets.token_urlsafe(32)
        if secret.startswith("-"):
            continue  # a prefix like "-x3…" would read as an option to `childfirst token revoke`
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=user,
                    name=name.strip(),
                    prefix=secret[:PREFIX_LENGTH],
                    key_hash=hash_secret(secret),
                    expires_at=expires_at,
                )
            break
        except IntegrityError:  # the prefix is taken (one chance in 2**48): draw again
            continue
    else:  # pragma: no cover - would need ten unlucky draws in a row
        raise TokenError("could not draw a unique token prefix")
    record(
        "account.token_create",
        actor=actor,
        obj=token,
        user=user.get_username(),
        prefix=token.prefix,
        name=token.name,
        expires_at=expires_at.isoformat(),
    )
    return token, secret


@transaction.atomic
def do_revoke_token(actor: User | None, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if not _may_manage(actor, token.user):
        raise PermissionDenied(_("Only the office or the token's user can revoke it."))
    if token.revoked_at is not None:
        raise TokenError(_("Token %(prefix)s is already revoked.") % {"prefix": token.prefix})
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record("account.token_revoke", actor=actor, obj=token, user=token.user.get_username(), prefix=token.prefix)
    return token


def user_for_secret(secret: str) -> User:
    """The user a bearer secret stands for; TokenRefused when it does not open the API.

    Refused: unknown, revoked or expired tokens, and users who are inactive, have no role or
    whose access has lapsed. A user whose role does not use the API is let through here and
    refused per endpoint (403), so that they learn it is their role, not their token."""
    token = ApiToken.objects.select_related("user__department").filter(key_hash=hash_secret(secret.strip())).first()
    if token is None:
        raise TokenRefused(_("Unknown API token."))
    if token.revoked_at is not None:
        raise TokenRefused(_("This API token has been revoked."))
    if token.is_expired():
        raise TokenRefused(_("This API token has expired."))
    user = token.user
    if not user.is_active or not user.role or user.access_expired():
        raise TokenRefused(_("Your access has expired or has no role. Ask the office to renew it."))
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user
