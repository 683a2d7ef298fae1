"""What the linkage tells its users through the inbox (childfirst.notifications): new verification
tasks, one notice per area and discovery run (not one per child), to whoever acts on them — the
community's directors, or the street's supervisors for tasks routed to the street alone. Titles
name the count and the area only."""

from __future__ import annotations

from collections import Counter

from django.urls import reverse

from childfirst.accounts.models import Role
from childfirst.areas.models import Area, Level
from childfirst.notifications.models import Kind
from childfirst.notifications.notify import keepers_of, notify

from .models import VerificationTask


def tell_tasks_raised(tasks: list[VerificationTask]) -> None:
    """Called inside the discovery's transaction with the tasks it raised."""
    per_area = Counter((t.community_id or t.street_id) for t in tasks)
    if not per_area:
        return
    url = reverse("linkage:tasks")
    for area in Area.objects.filter(pk__in=per_area):
        role = Role.STREET_SUPERVISOR if area.level == Level.STREET else Role.COMMUNITY_DIRECTOR
        notify(keepers_of(area, role), Kind.VERIFICATION_TASKS, f"{per_area[area.pk]} · {area.name}", url)
