"""What the registry tells its users through the inbox (childfirst.notifications). Each `tell_*` is
called inside the do_* action whose change it announces. Titles name a receipt number, a task number
or an area — never a child, a reporter or an ID number — and links lead to pages the recipient may open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from childfirst.accounts.models import Role
from childfirst.areas.models import Area
from childfirst.notifications.models import Kind
from childfirst.notifications.notify import keepers_of, notify, office_of

if TYPE_CHECKING:
    from childfirst.registry.models import MandatoryReport, RegistryGrant, Task


def is_high_risk(report: MandatoryReport) -> bool:
    """A report that must reach the supervisor at once: the reporter said the child may be in danger now."""
    from childfirst.registry.models import Urgency

    return report.urgency == Urgency.URGENT


def _report_title(report: MandatoryReport) -> str:
    """The receipt number and the area; a report whose community the reporter did not know names
    the street only (the free-text place may describe a family, so it stays out of the title)."""
    where = f"{report.street.name} {report.community.name}" if report.community else report.street.name
    return f"{report.receipt_number} · {where}"


def tell_report_filed(report: MandatoryReport) -> None:
    """The street's supervisors (an urgent report as such, so it stands out and is mailed at once)
    and the district's office."""
    title = _report_title(report)
    kind = Kind.REPORT_HIGH_RISK if is_high_risk(report) else Kind.REPORT_ARRIVED
    notify(keepers_of(report.street, Role.STREET_SUPERVISOR), kind, title, reverse("registry:report", args=[report.pk]))
    notify(office_of(report.street), kind, title, reverse("registry:reports"))


def tell_report_escalated(report: MandatoryReport) -> None:
    title = _report_title(report)
    url = reverse("registry:report", args=[report.pk])
    notify(keepers_of(report.street, Role.STREET_SUPERVISOR), Kind.REPORT_ESCALATED, title, url)
    notify(office_of(report.street), Kind.REPORT_ESCALATED, title, reverse("registry:reports"))


def tell_task_raised(task: Task) -> None:
    """Tasks are the street supervisor's: each of the street's supervisors hears of a new one."""
    with translation.override(settings.LANGUAGE_CODE):  # stored once: in the district's language, as names are
        what = str(task.get_kind_display())
    title = f"#{task.pk} {what} · {task.street.name} · {task.due_on.isoformat()}"
    notify(keepers_of(task.street, Role.STREET_SUPERVISOR), Kind.TASK_ASSIGNED, title, reverse("registry:supervision"))


def tell_grant_requested(grant: RegistryGrant, area: Area) -> None:
    """The office users who may decide on it: every one but the requester and the one it names."""
    deciders = [u for u in office_of(area) if u.pk not in (grant.requested_by_id, grant.user_id)]
    notify(deciders, Kind.GRANT_REQUESTED, f"#{grant.pk} · {area.name}", reverse("registry:grants"))
