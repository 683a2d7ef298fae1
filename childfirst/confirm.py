"""One confirmation step for actions that cannot be undone (publishing, closing, deleting, revoking).

The action's button is a link, a GET form or a POST form marked data-confirm, to the action's own URL.
Without JavaScript the GET, or the POST that lacks the confirmation, answers with a page that says
what will happen and holds the form that POSTs with the confirmation (and the reason, if asked);
with JavaScript (static/childfirst/confirm.js) the same server-rendered form opens in a native
<dialog>. A POST form keeps what was typed out of the URL (a closing note may name a child). The POST is
refused unless it carries the confirmation field only that form has, so a stale form, a bookmarked
button or a script cannot skip the step. Imports no app: every app's views use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

CONFIRM_FIELD = "confirmed"
REASON_FIELD = "reason"
# confirm.js asks for the dialog's content with this header; the answer is then the form alone.
DIALOG_HEADER = "X-Confirm-Step"


@dataclass
class Confirmation:
    """What the confirmation step shows and where its form goes."""

    title: str
    action_url: str
    cancel_url: str
    confirm_label: str
    consequences: list[str] = field(default_factory=list)
    # A reason field is shown when reason_label is set; required when reason_required.
    reason_label: str = ""
    reason_required: bool = False
    reason_help: str = ""
    hidden: dict[str, str] = field(default_factory=dict)
    # Optional includes: a fuller account of the consequences, and extra inputs (e.g. a date).
    details_template: str = ""
    details: Any = None
    fields_template: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    reason_error: str = ""
    reason_value: str = ""


def is_confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "yes"


def posted_reason(request: HttpRequest) -> str:
    return request.POST.get(REASON_FIELD, "").strip()


def confirm_response(request: HttpRequest, confirmation: Confirmation, *, status: int = 200) -> HttpResponse:
    """The confirmation step: the dialog's form for confirm.js, else a whole page.

    A POST that arrives here was not confirmed (or its reason was missing): it is answered with
    the step again, with what was typed kept, and status 400 so that no script mistakes it for done."""
    dialog = bool(request.headers.get(DIALOG_HEADER))
    if request.method == "POST":
        confirmation.reason_value = confirmation.reason_value or posted_reason(request)
        # confirm.js posts the trigger form with the header to ask for the step: that is no refusal.
        if not (dialog and not is_confirmed(request)):
            if not is_confirmed(request) and not confirmation.error:
                confirmation.error = _("Nothing was changed: confirm this step first.")
            status = 400 if status == 200 else status
    template = "confirm/form.html" if dialog else "confirm/page.html"
    return render(request, template, {"confirm": confirmation}, status=status)


def reason_missing(request: HttpRequest, confirmation: Confirmation) -> bool:
    """True (and the field's error set) when the step needs a reason and none was given."""
    if confirmation.reason_required and not posted_reason(request):
        confirmation.reason_error = _("Give the reason: it is recorded with the action.")
        return True
    return False
