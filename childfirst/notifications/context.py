"""The header's bell: the signed-in user's unread count (a COUNT on the (recipient, read_at) index, kept
for a minute: unread.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .unread import unread_count


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "role", ""):
        return {}
    return {"unread_notifications": unread_count(user)}
