"""The evaluation method (docs/methods.md) as a page of the app, so that a status's "why" is one
click away for every signed-in user instead of a file path they cannot open."""

from __future__ import annotations

from functools import cache
from itertools import pairwise
from pathlib import Path

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from markdown_it import MarkdownIt

from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.plans.access import get_plan_for_user

from .engine import METHOD_VERSION

# evaluation/methods.md links to docs/methods.md, the one text the reports also cite.
METHODS_FILE = Path(__file__).resolve().parent / "methods.md"


@cache
def methods_html() -> SafeString:
    """docs/methods.md as HTML. Raw HTML in the file is escaped (html off), so the page can hold
    nothing the Content-Security-Policy would refuse; headings get ids so that links such as
    [English](#english) inside the file work."""
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = parser.parse(METHODS_FILE.read_text(encoding="utf-8"))
    for opening, inline in pairwise(tokens):
        if opening.type == "heading_open":
            opening.attrSet("id", slugify(inline.content, allow_unicode=True))
    return mark_safe(parser.renderer.render(tokens, parser.options, {}))  # noqa: S308 (markdown with html off: escaped)


@role_required()
def methods(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    """How statuses, forecasts and warnings are computed: the same text as docs/methods.md. The
    method is the same for every plan; the page sits under the plan so its way back is that plan's
    overview (and /evaluation/methods/ is an old link like the others)."""
    the_plan = get_plan_for_user(request, plan)
    return render(
        request,
        "evaluation/methods.html",
        {"plan": the_plan, "body": methods_html(), "method_version": METHOD_VERSION},
    )
