"""Casework figures for templates that are not the casework's own (the child's page)."""

from __future__ import annotations

from django import template

from childfirst.registry.casework import child_summary
from childfirst.registry.models import Child

register = template.Library()


@register.simple_tag
def casework_summary(child: Child) -> dict:
    """Assignment, risk level and next visit of `child`; the page showing it has already checked
    access and written the access log."""
    return child_summary(child)
