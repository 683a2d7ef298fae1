"""Who sees which notification: its recipient, nobody else."""

from __future__ import annotations

from django.http import Http404

from childfirst.accounts.http import AuthenticatedHttpRequest

from .models import Notification


def get_notification_for_user(request: AuthenticatedHttpRequest, pk: int) -> Notification:
    """The user's own notification; 404 for another's, as for one that does not exist."""
    notification = Notification.objects.for_user(request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    return notification
