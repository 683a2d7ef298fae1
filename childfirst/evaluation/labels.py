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

# A value's provenance (evaluation/data.py `_source`, also frozen in published snapshots) names the
# account that entered or accepted it, or "system" when no account did (an import by command).
SYSTEM_ACCOUNT = "system"


def account_label(name: str | None) -> str:
    """An account name from a provenance record for display: "system" in the user's language."""
    if not name or name == SYSTEM_ACCOUNT:
        return str(_("the system"))
    return name


def channel_label(code: str | None) -> str:
    """A value's channel (collection.models.Channel) in the user's language; an unknown code as is."""
    from childfirst.collection.models import Channel

    try:
        return str(Channel(code or "").label)
    except ValueError:
        return code or ""
