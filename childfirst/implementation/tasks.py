"""The implementation app's periodic job (huey, run by the worker `childfirst serve` starts): each
morning, recommendations past their due date and not closed are escalated once
(`childfirst implementation escalate` does the same from cron)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="7", minute="10"))
def escalate_overdue_recommendations() -> int:
    from .recommendation_actions import do_escalate_overdue

    return do_escalate_overdue(timezone.localdate())
