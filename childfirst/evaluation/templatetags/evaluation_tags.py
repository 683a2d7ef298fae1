from __future__ import annotations

from django import template
from django.utils.html import format_html

from childfirst.evaluation import city, labels
from childfirst.evaluation.labels import STATUS_LABELS

register = template.Library()


@register.simple_tag
def status_badge(status: str) -> str:
    return format_html('<span class="status status-{}">{}</span>', status, STATUS_LABELS.get(status, status))


@register.filter
def num(value: float | None, places: int = 2) -> str:
    if value is None:
        return "—"
    text = f"{value:.{int(places)}f}"
    if "." in text:  # trailing zeros of the fraction only: 100 stays 100
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@register.filter
def account_label(name: str | None) -> str:
    return labels.account_label(name)


@register.filter
def channel_label(code: str | None) -> str:
    return labels.channel_label(code)


@register.filter
def city_provenance(source: dict) -> str:
    """A city figure's districts, summed and missing (evaluation/city.py)."""
    return city.describe(source)
