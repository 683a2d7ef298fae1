"""Collection's periodic job (huey, run by the worker `childfirst serve` starts): each morning,
reporters whose data is not yet submitted hear that the deadline is near (`childfirst data deadlines`
does the same from cron)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="7", minute="0"))
def deadline_notices() -> int:
    from .notices import do_notify_deadline_near

    return do_notify_deadline_near(timezone.localdate(), settings.DEADLINE_NEAR_DAYS)
