"""Casework figures for templates that are not the casework's own (the child's page)."""

from __future__ import annotations

from django import template

from childfirst.accounts.models import User
from childfirst.registry.casework.access import can_assess
from childfirst.registry.casework.caseload import child_summary
from childfirst.registry.models import Child

register = template.Library()


@register.simple_tag
def casework_summary(child: Child, user: User) -> dict:
    """Assignment, risk level and next visit of `child`, and whether `user` may assess it; the page
    showing it has already checked access and written the access log."""
    return {**child_summary(child), "can_assess": can_assess(user, child)}
