"""The work list's rows (registry/casework/work_list.html), built here rather than by the template
language: a hundred rows with two includes and two URL tags each were a third of the page's time
on the demo (issue 16, item 4). The markup is the one the template and its includes
(_risk.html, _due.html) drew, byte for byte."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from childfirst.registry.casework.caseload import CaseRow
from childfirst.registry.casework.visits import Due

register = template.Library()


def _e(value: Any) -> str:
    """Escaped as the template escapes `{{ value }}` (a safe string as it is)."""
    return conditional_escape(value)


_MARKER = 987654321  # stands for a file's id in the reversed URLs
_LABELS: dict[str | None, dict[str, str]] = {}


def _labels() -> dict[str, str]:
    language = get_language()
    labels = _LABELS.get(language)
    if labels is None:
        texts = {
            "high": _("high risk"),
            "medium": _("medium risk"),
            "low": _("low risk"),
            "not_assessed": _("not assessed"),
            "awaiting": _("awaiting approval"),
            "never": _("never visited"),
            "record": _("Record a visit"),
        }
        labels = _LABELS[language] = {key: _e(text) for key, text in texts.items()}
    return labels


def risk_badge(level: str | None, labels: dict[str, str]) -> str:
    """What _risk.html drew (its trailing newline too)."""
    if not level:
        return f'<span class="hint">{labels["not_assessed"]}</span>\n'
    text = labels["high"] if level == "high" else labels["medium"] if level == "medium" else labels["low"]
    return f'<span class="risk risk-{_e(level)}">{text}</span>\n'


def _ymd(day: datetime.date) -> str:
    """The date filter's "Y-m-d"."""
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def due_text(due: Due) -> str:
    """What _due.html drew (its trailing newline too)."""
    date = _ymd(due.date)
    if due.is_overdue:
        counter = due.days_overdue
        text = ngettext(
            "overdue since %(date)s (%(counter)s day)", "overdue since %(date)s (%(counter)s days)", counter
        )
        return f'<span class="overdue">{text % {"date": date, "counter": counter}}</span>\n'
    if due.days_left <= 7:
        counter = due.days_left
        text = ngettext("in %(counter)s day", "in %(counter)s days", counter) % {"counter": counter}
        return f'<span class="due-soon">{date}（{text}）</span>\n'
    return f"{date}\n"


def _urls(context: template.Context) -> tuple[str, str]:
    cache = context.render_context
    if "work_list_urls" not in cache:
        cache["work_list_urls"] = (
            reverse("registry:casework", args=[_MARKER]),
            reverse("registry:visit_new", args=[_MARKER]),
        )
    return cache["work_list_urls"]


@register.simple_tag(takes_context=True)
def work_row(context: template.Context, row: CaseRow, communities: Any) -> SafeString:
    """One child of the work list: name, age, categories, (community), risk, last and next visit."""
    labels = _labels()
    casework, visit = _urls(context)
    child = row.child
    marker = str(_MARKER)
    categories = (
        "".join(f'<span class="tag">{_e(c.display_name)}</span> ' for c in row.categories)
        if row.categories
        else '<span class="hint">—</span>'
    )
    community = f"<td>{_e(child.residence_area.display_name)}</td>" if communities else ""
    pending = f' <small class="hint">{labels["awaiting"]}</small>' if row.risk.pending else ""
    last = row.due.last_visit
    last_text = _ymd(last) if last else labels["never"]
    overdue = ' class="overdue-row"' if row.due.is_overdue else ""
    return mark_safe(  # noqa: S308 (every value went through _e; the translations are the project's)
        f"\n    <tr{overdue}>\n"
        f'      <td><a href="{_e(casework.replace(marker, str(child.pk)))}">{_e(child.name)}</a></td>\n'
        f'      <td class="num">{_e(child.age)}</td>\n'
        f"      <td>{categories}</td>\n"
        f"      {community}\n"
        f"      <td>{risk_badge(row.risk.level, labels)}{pending}</td>\n"
        f'      <td class="nowrap">{last_text}</td>\n'
        f'      <td class="nowrap">{due_text(row.due)}</td>\n'
        f'      <td class="nowrap" data-label="">'
        f'<a class="row-action" href="{_e(visit.replace(marker, str(child.pk)))}">'
        f"{labels['record']}</a></td>\n"
        "    </tr>\n  "
    )
