"""The navigation bar by role, and the demo-data banner flag, for every template.

Items for pages of one plan link to that page of the user's current plan (`plan_switcher.shell_plans`);
a user who sees no plan does not get them."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from childfirst.accounts.models import Role
from childfirst.areas.models import Area
from childfirst.plans.models import Plan

from .plan_switcher import shell_plans


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[Role] | None = None  # None: every role
    per_plan: bool = False  # a page of one plan: its URL takes the current plan's code
    # Pages that belong to the item although their path does not start with its URL (a regular expression
    # on the path), e.g. the scorecard of a year under the item that opens last year's.
    also_current: str = ""

    def visible_to(self, role: str) -> bool:
        return self.roles is None or role in self.roles


NAV_ITEMS = [
    NavItem(_("Home"), "home"),
    NavItem(_("Plan catalogue"), "plans:list"),
    NavItem(_("Evaluation"), "evaluation:overview", per_plan=True),
    NavItem(_("Street scorecards"), "evaluation:streets", per_plan=True),
    NavItem(_("Indicators"), "plans:indicators", per_plan=True),
    NavItem(
        _("Data collection"),
        "collection:rounds",
        frozenset({Role.OFFICE, Role.DEPT_REPORTER, Role.DEPT_REVIEWER, Role.LEADER, Role.EVALUATOR}),
        per_plan=True,
    ),
    # Section 四 (implementation reports, recommendations, good practices, the assessment): one item,
    # the pages' own tabs (implementation/_sections.html) lead on; supervisors take part in follow-up only.
    NavItem(
        _("Plan implementation"),
        "implementation:reports",
        frozenset({Role.OFFICE, Role.DEPT_REPORTER, Role.DEPT_REVIEWER, Role.LEADER, Role.EVALUATOR}),
        per_plan=True,
        also_current=r"^/plans/[^/]+/implementation/",
    ),
    NavItem(
        _("Recommendations"),
        "implementation:recommendations",
        frozenset({Role.STREET_SUPERVISOR}),
        per_plan=True,
        also_current=r"^/plans/[^/]+/implementation/(assignments|practices)/",
    ),
    NavItem(_("Reports"), "reports:index", frozenset({Role.OFFICE, Role.LEADER, Role.EVALUATOR}), per_plan=True),
    NavItem(
        _("Children"),
        "registry:children",
        frozenset(
            {Role.STREET_SUPERVISOR, Role.COMMUNITY_DIRECTOR, Role.DEPT_REPORTER, Role.DEPT_REVIEWER, Role.OFFICE}
        ),
    ),
    NavItem(_("My work list"), "registry:work_list", frozenset({Role.STREET_SUPERVISOR, Role.COMMUNITY_DIRECTOR})),
    NavItem(_("Supervision"), "registry:supervision", frozenset({Role.STREET_SUPERVISOR})),
    NavItem(_("Referrals"), "registry:referrals", frozenset({Role.DEPT_REPORTER, Role.DEPT_REVIEWER})),
    NavItem(_("Mandatory reports"), "registry:reports", frozenset({Role.OFFICE, Role.STREET_SUPERVISOR})),
    NavItem(_("Contact cards"), "registry:cards", frozenset({Role.STREET_SUPERVISOR, Role.COMMUNITY_DIRECTOR})),
    NavItem(
        _("Children's homes"),
        "registry:homes",
        frozenset({Role.OFFICE, Role.STREET_SUPERVISOR, Role.COMMUNITY_DIRECTOR}),
    ),
    # Department lists (户籍, 学籍, benefits …): the office imports them; nobody browses them.
    NavItem(_("Department lists"), "linkage:index", frozenset({Role.OFFICE})),
    NavItem(_("Areas"), "areas:tree"),
    NavItem(_("Accounts"), "accounts:users", frozenset({Role.OFFICE})),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "role", ""):
        return {"nav_items": [], "demo_mode": False}
    path = request.path
    plan = shell_plans(request).current
    items = []
    weights: list[int] = []  # how specific each item's match is: the longest wins
    for item in NAV_ITEMS:
        if not item.visible_to(user.role) or (item.per_plan and plan is None):
            continue
        url = _url(item, plan)
        current = path == url if url == "/" else path.startswith(url)
        weight = len(url)
        if not current and item.also_current and re.match(item.also_current, path):
            current, weight = True, len(path)  # more specific than any prefix of the path
        items.append({"label": item.label, "url": url, "current": current})
        weights.append(weight if current else 0)
    # One current item: the most specific (/evaluation/streets/ rather than /evaluation/ as well).
    longest = max(weights, default=0)
    for i, weight in zip(items, weights, strict=True):
        i["current"] = bool(i["current"]) and weight == longest
    return {"nav_items": items, "demo_mode": demo_mode()}


# Whether any area is synthetic changes when a district's areas or the demo are loaded: asked once
# a minute, not on every page.
DEMO_MODE_SECONDS = 60


def demo_mode() -> bool:
    """Whether the banner saying the data are synthetic shows: any synthetic area."""
    return bool(
        cache.get_or_set("web:demo-mode", lambda: Area.objects.filter(is_synthetic=True).exists(), DEMO_MODE_SECONDS)
    )


def _url(item: NavItem, plan: Plan | None) -> str:
    code = plan.code if item.per_plan and plan is not None else None
    return _reversed(item.url_name, code, get_script_prefix())


@functools.lru_cache(maxsize=4096)
def _reversed(url_name: str, plan: str | None, _prefix: str) -> str:
    """The bar's URLs, reversed once per name, plan and script prefix (a dozen a page, every page)."""
    return reverse(url_name) if plan is None else reverse(url_name, kwargs={"plan": plan})
