"""How a command picks the plan it works on: one rule for every command that works on one plan.

`--plan CODE` picks that plan; without it the only plan loaded is used; when several are loaded the
command refuses and lists them, so that nothing is ever done to "the newest" plan by accident."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from .models import Plan, PlanStatus


def plan_records() -> list[dict[str, Any]]:
    """Every loaded plan as plain data (`childfirst plan list --json`; the keys are stable)."""
    plans = (
        Plan.objects.select_related("area", "succeeds")
        .annotate(active=Count("indicators", filter=Q(indicators__retired_at__isnull=True)))
        .order_by("area__code", "start_year", "code")
    )
    return [
        {
            "code": plan.code,
            "name": plan.name,
            "name_en": plan.name_en,
            "area": plan.area.code,
            "area_name": plan.area.name,
            "area_level": plan.area.level,
            "start_year": plan.start_year,
            "end_year": plan.end_year,
            "status": plan.status,
            "synthetic": plan.is_synthetic,
            "succeeds": plan.succeeds.code if plan.succeeds else None,
            "version": plan.version,
            "indicators": plan.active,
        }
        for plan in plans
    ]


def plan_lines() -> list[str]:
    """One line per loaded plan, as `plan list` prints them and refusals list them."""
    lines = []
    for record in plan_records():
        synthetic = "  " + _("(made up)") if record["synthetic"] else ""
        lines.append(
            f"  {record['code']}  {record['name']}  {record['area']} {record['area_name']}  "
            f"{record['start_year']}–{record['end_year']}  {PlanStatus(record['status']).label}"
            f"  {record['indicators']} {_('indicators')}{synthetic}"
        )
    return lines


def plan_from_option(code: str | None) -> Plan:
    """The plan named by `--plan CODE`; without a code, the only plan loaded. Refuses (CommandError,
    naming the code and listing the plans) for an unknown code, no plan, or several plans."""
    plans = Plan.objects.select_related("area")
    if code:
        plan = plans.filter(code=code).first()
        if plan is None:
            loaded = plan_lines()
            if not loaded:
                raise CommandError(
                    _("There is no plan %(code)s: no plan is loaded. Load one with: childfirst plan load FILE")
                    % {"code": code}
                )
            raise CommandError("\n".join([_("There is no plan %(code)s. The plans loaded:") % {"code": code}, *loaded]))
        return plan
    found = list(plans[:2])
    if not found:
        raise CommandError(_("No plan is loaded. Load one with: childfirst plan load FILE"))
    if len(found) > 1:
        raise CommandError("\n".join([_("Several plans are loaded; name one with --plan CODE:"), *plan_lines()]))
    return found[0]
