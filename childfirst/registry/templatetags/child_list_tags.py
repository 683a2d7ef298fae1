"""The child list's rows (registry/_child_results.html).

Built here rather than by the template language: fifty rows of nine cells took about a
millisecond each through the template engine on the 2-core VM of issue 16 — most of the list
page's cost. Each value is escaped once with the standard library's html.escape (what Django's
escape calls), each row one f-string: format_html's per-argument checks for lazy strings cost
more than the escaping itself. The markup is the one the template had."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import TYPE_CHECKING

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from childfirst.registry.models import Child, ChildStatus

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from childfirst.registry.children.search import ListFields

register = template.Library()

_MARKER = "987654321"  # stands for a file's id in the reversed URL


@register.simple_tag
def child_rows(children: Iterable[WithAnnotations[Child, ListFields]], limited: bool) -> SafeString:
    """One <tr> per child: name (linked to the file), sex, age, community; unless `limited` (a
    department sees only what a referral needs) the masked ID number, current categories, status."""
    before, after = (escape(part) for part in reverse("registry:child", args=[int(_MARKER)]).split(_MARKER))
    synthetic = f' <span class="tag muted">{escape(_("synthetic"))}</span>'
    today = timezone.localdate()
    # Labels escaped once, not per row; get_*_display() would also rebuild a dict per call.
    sexes = {value: escape(str(label)) for value, label in Child._meta.get_field("sex").flatchoices}
    statuses = {value: escape(str(label)) for value, label in Child._meta.get_field("status").flatchoices}
    areas: dict[int, str] = {}  # a page's fifty rows lie in a community or two
    rows = []
    for child in children:
        area = areas.get(child.residence_area_id)
        if area is None:
            area = areas[child.residence_area_id] = escape(child.residence_area.display_name)
        row = (
            f'<td><a href="{before}{child.pk}{after}">{escape(child.name)}</a>'
            f"{synthetic if child.is_synthetic else ''}</td>"
            f"<td>{sexes.get(child.sex) or escape(child.sex)}</td>"
            f'<td class="num">{child.age_on(today)}</td><td>{area}</td>'
        )
        active = child.status == ChildStatus.ACTIVE
        if not limited:
            categories = "".join(
                f'<span class="tag">{escape(c.type.display_name)}</span> ' for c in child.current_categories
            )
            status = statuses.get(child.status) or escape(child.status)
            if not active:
                status = f'<span class="tag muted">{status}</span>'
            row += (
                f'<td class="id-number">{escape(child.id_masked or "—")}</td><td>{categories or "—"}</td>'
                f"<td>{status}</td>"
            )
        rows.append(f"<tr>{row}</tr>" if active else f'<tr class="exited">{row}</tr>')
    return mark_safe("\n".join(rows))  # noqa: S308 (every value escaped above)
