"""Writing notifications: `notify` is called by the other parts inside the transaction of their own
do_* action, so a notification exists exactly when the change it announces does. E-mail (where
settings.NOTIFY_EMAIL is on and the user has an address) goes out after that transaction commits.

The helpers below name the usual recipients by role and scope, for callers of any layer."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from childfirst.accounts.models import Role, User
from childfirst.areas.models import Area

from .models import Kind, Notification
from .unread import forget_unread


def _reachable(users: Iterable[User]) -> list[User]:
    """Active users whose access has not ended, each once."""
    seen: dict[int, User] = {}
    for user in users:
        if user.pk not in seen and user.is_active and not user.access_expired():
            seen[user.pk] = user
    return list(seen.values())


def notify(recipients: Iterable[User], kind: Kind | str, title: str, url: str, *, key: str = "") -> list[Notification]:
    """One notification per recipient. `title` and `url` must hold no personal data (a case number,
    a year and department or an area instead); `url` is a path inside the app. With `key`, a
    recipient who already has a notification of that key gets no second one (idempotent callers)."""
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError("a notification links to a path inside the app")
    users = _reachable(recipients)
    if key:
        done = set(Notification.objects.filter(key=key, recipient__in=users).values_list("recipient_id", flat=True))
        users = [u for u in users if u.pk not in done]
    rows = Notification.objects.bulk_create(
        Notification(recipient=u, kind=kind, title=title[:200], url=url, key=key) for u in users
    )
    forget_unread(u.pk for u in users)
    if settings.NOTIFY_EMAIL:
        addresses = [u.email for u in users if u.email]
        if addresses:
            # robust: a mail server that is down is logged, and neither undoes nor fails the change.
            transaction.on_commit(lambda: _send_mail(addresses, Kind(kind), title, url), robust=True)
    return rows


def _send_mail(addresses: list[str], kind: Kind, title: str, url: str) -> None:
    """One message per address (no recipient sees another's address), in the district's language;
    the body says what and where, as the inbox does: no personal data."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = f"{kind.label}: {title}"
        body = _("%(what)s: %(title)s\n\nOpen it in ChildFirst: %(link)s") % {
            "what": kind.label,
            "title": title,
            "link": settings.NOTIFY_SITE_URL.rstrip("/") + url,
        }
    get_connection().send_messages([EmailMessage(subject, body, to=[address]) for address in addresses])


# ----- who to tell ------------------------------------------------------------------------------


def users_of_departments(department_ids: Iterable[int], role: Role) -> list[User]:
    """The active users of `role` (reporter or reviewer) in the departments."""
    return list(User.objects.filter(role=role, department_id__in=list(department_ids), is_active=True))


def office_of(area: Area) -> list[User]:
    """The office users whose scope holds `area` (the office of its district)."""
    codes = [a.pk for a in area.ancestors()] + [area.pk]
    return list(User.objects.filter(role=Role.OFFICE, area_id__in=codes, is_active=True))


def keepers_of(area: Area, role: Role) -> list[User]:
    """The street supervisors (of a street) or community directors (of a community) holding `area`."""
    return list(User.objects.filter(role=role, area=area, is_active=True))
