"""The header's unread count, kept per user for a minute and forgotten whenever it changes.

Every signed-in page shows it, so its COUNT ran on every page. Whatever changes a user's unread
notifications calls `forget_unread` (notify, marking read); the minute bounds what a change made
outside them (a restore, the demo's set-up) can leave. Several web processes must share the cache
(CHILDFIRST_REDIS_URL, as settings.py says), or one process would show a count another has forgotten
for up to that minute. The key holds the user's internal id only."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

from childfirst.accounts.models import User

from .models import Notification

UNREAD_SECONDS = 60


def _key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def unread_count(user: User) -> int:
    key = _key(user.pk)
    count: int | None = cache.get(key)
    if count is None:
        count = Notification.objects.for_user(user).unread().count()
        cache.set(key, count, UNREAD_SECONDS)
    return count


def forget_unread(user_ids: Iterable[int]) -> None:
    """Drop the users' cached counts now and again when the transaction commits: a page read
    between the two would otherwise keep the old count for the minute."""
    keys = [_key(pk) for pk in user_ids]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))
