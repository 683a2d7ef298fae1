"""Reading notifications: a user marks their own as read, one or all; nobody else's."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from childfirst.accounts.audit import record
from childfirst.accounts.models import User

from .models import Notification
from .unread import forget_unread


@transaction.atomic
def do_mark_read(actor: User, notification: Notification) -> Notification:
    if notification.recipient_id != actor.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        record("notifications.read", actor=actor, obj=notification, count=1)
        forget_unread([actor.pk])
    return notification


@transaction.atomic
def do_mark_all_read(actor: User) -> int:
    count = Notification.objects.for_user(actor).unread().update(read_at=timezone.now())
    if count:
        record("notifications.read_all", actor=actor, count=count)
        forget_unread([actor.pk])
    return count
