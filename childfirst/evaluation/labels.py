"""How statuses read and sort on pages, in reports and on the console."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

STATUS_LABELS = {
    "achieved": _("achieved"),
    "on_track": _("on track"),
    "needs_acceleration": _("needs acceleration"),
    "at_risk": _("at risk"),
    "not_achieved": _("not achieved"),
    "insufficient_data": _("insufficient data"),
    "qualitative": _("assessed by the office"),
}
# Worst first: the order of the early-warning list and of status columns on dashboards.
STATUS_ORDER = ["not_achieved", "at_risk", "needs_acceleration", "insufficient_data", "on_track", "achieved"]
