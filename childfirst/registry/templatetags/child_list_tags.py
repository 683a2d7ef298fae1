"""The child list's rows (registry/_child_results.html).

Built here with format_html rather than by the template language: fifty rows of nine cells took
about a millisecond each through the template engine on the 2-core VM of issue 16 — most of the
list page's cost — and a few hundredths of that here. The markup is the one the template had."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from childfirst.registry.models import Child

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from childfirst.registry.children.search import ListFields

register = template.Library()

_MARKER = "987654321"  # stands for a file's id in the reversed URL


@register.simple_tag
def child_rows(children: Iterable[WithAnnotations[Child, ListFields]], limited: bool) -> SafeString:
    """One <tr> per child: name (linked to the file), sex, age, community; unless `limited` (a
    department sees only what a referral needs) the masked ID number, current categories, status."""
    url = reverse("registry:child", args=[int(_MARKER)])
    synthetic = format_html(' <span class="tag muted">{}</span>', _("synthetic"))
    today = timezone.localdate()
    # get_sex_display() and get_status_display() rebuild a dict of lazy labels on every call.
    sexes = {value: str(label) for value, label in Child._meta.get_field("sex").flatchoices}
    statuses = {value: str(label) for value, label in Child._meta.get_field("status").flatchoices}
    rows = []
    for child in children:
        cells = [
            format_html(
                '<td><a href="{}">{}</a>{}</td><td>{}</td><td class="num">{}</td><td>{}</td>',
                url.replace(_MARKER, str(child.pk)),
                child.name,
                synthetic if child.is_synthetic else "",
                sexes.get(child.sex, child.sex),
                child.age_on(today),
                child.residence_area.display_name,
            )
        ]
        if not limited:
            categories = format_html_join(
                "", '<span class="tag">{}</span> ', ((c.type.display_name,) for c in child.current_categories)
            )
            status = statuses.get(child.status, child.status)
            cells.append(
                format_html(
                    '<td class="id-number">{}</td><td>{}</td><td>{}</td>',
                    child.id_masked or "—",
                    categories or "—",
                    status if child.is_active else format_html('<span class="tag muted">{}</span>', status),
                )
            )
        exited = "" if child.is_active else ' class="exited"'
        rows.append(format_html("<tr{}>{}</tr>", mark_safe(exited), mark_safe("".join(cells))))  # noqa: S308 (a constant; cells built by format_html)
    return mark_safe("\n".join(rows))  # noqa: S308 (rows built by format_html)
