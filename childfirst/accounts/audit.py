"""Writing the audit log. Call `record` inside the transaction of the change it describes."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from .models import AuditEvent, User


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # Behind a proxy the deployment sets the real address in REMOTE_ADDR (e.g. via the proxy's
    # own module); trusting X-Forwarded-For here would let a client forge it.
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    actor: User | None = None,
    obj: models.Model | None = None,
    area_code: str = "",
    request: HttpRequest | None = None,
    actor_name: str = "",
    **detail: Any,
) -> AuditEvent:
    """Append one event. `detail` must hold identifiers and counts, never personal data."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor_name or (actor.get_username() if actor is not None else "system"),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        area_code=area_code,
        ip_address=client_ip(request),
        detail=detail,
    )
