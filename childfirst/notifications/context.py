"""The header's bell: the signed-in user's unread count, one COUNT on the (recipient, read_at) index."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import Notification


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "role", ""):
        return {}
    return {"unread_notifications": Notification.objects.for_user(user).unread().count()}
