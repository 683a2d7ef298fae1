"""The purposes the product itself writes to the access log (`log_access`), shown in the reader's
language. The log keeps what was written (append-only, and a typed reason stays as typed); these are
only its labels. A purpose not listed here is a user's own reason and is shown as it is."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

SYSTEM_PURPOSES = {
    "casework": _("casework"),
    "record a visit": _("record a visit"),
    "risk assessment": _("risk assessment"),
    "one-to-one assistance": _("one-to-one assistance"),
    "referral": _("referral"),
    "referral list": _("referral list"),
    "casework work list": _("work list"),
    "supervisor dashboard": _("supervisor's dashboard"),
    "verification task list": _("verification task list"),
}
# Purposes that carry a number: the task, the review pair, the mandatory report's receipt.
NUMBERED_PURPOSES = [
    (re.compile(r"^verification task (?P<number>\d+)$"), _("verification task %(number)s")),
    (re.compile(r"^review pair (?P<number>\d+)$"), _("review pair %(number)s")),
    (re.compile(r"^mandatory report (?P<number>\S+)$"), _("mandatory report %(number)s")),
]


def purpose_label(purpose: str) -> str:
    """`purpose` as the reader should see it: a system purpose translated, anything else unchanged."""
    if purpose in SYSTEM_PURPOSES:
        return str(SYSTEM_PURPOSES[purpose])
    for pattern, label in NUMBERED_PURPOSES:
        found = pattern.match(purpose)
        if found:
            return str(label) % {"number": found["number"]}
    return purpose
