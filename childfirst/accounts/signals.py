"""Logins, logouts, failed logins, plan loads and target revisions go to the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from childfirst.plans.models import Plan
from childfirst.plans.signals import plan_loaded, targets_revised

from .audit import record
from .models import User


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    record("auth.login", actor=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        record("auth.logout", actor=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    # Only the attempted user name is kept; the password never is.
    record("auth.login_failed", actor_name=str(credentials.get("username", ""))[:150], request=request)


@receiver(plan_loaded)
def _plan_loaded(
    sender: Any, plan: Plan, actor: User | None, area_code: str, detail: dict[str, Any], **kwargs: Any
) -> None:
    # Sent inside the loader's transaction: the row commits or rolls back with the plan.
    record("plan.load", actor=actor, obj=plan, area_code=area_code, **detail)


@receiver(targets_revised)
def _targets_revised(
    sender: Any, plan: Plan, actor: User | None, area_code: str, detail: dict[str, Any], **kwargs: Any
) -> None:
    # As for a plan load: inside the loading transaction.
    record("plan.revise_targets", actor=actor, obj=plan, area_code=area_code, **detail)
