"""Each state change of a mandatory report (强制报告) is one function here — filing, linking to a
file, opening a file, recording a step, closing, escalating — checked, audited and atomic."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.accounts.audit import record
from childfirst.accounts.models import User
from childfirst.areas.models import Area, Level
from childfirst.registry import notices
from childfirst.registry.casework.access import is_supervisor_of_street
from childfirst.registry.casework.actions import CaseworkError, _raise_task, _require, _text
from childfirst.registry.casework.visits import current_policy
from childfirst.registry.children.access import keeps_area
from childfirst.registry.children.actions import ChildData, do_create_child
from childfirst.registry.children.crypto import decrypt
from childfirst.registry.children.idnumber import parse_id_number
from childfirst.registry.children.names import is_unknown_name
from childfirst.registry.models import (
    AgeUnit,
    Child,
    Concern,
    MandatoryReport,
    ReportAction,
    ReportChannel,
    ReportedSex,
    ReporterKind,
    ReportState,
    ReportStep,
    TaskKind,
    Urgency,
)

from . import intake as mandatory

# ----- mandatory reports ------------------------------------------------------------------------


@transaction.atomic
def do_file_mandatory_report(
    actor: User | None,
    *,
    reporter_institution: str,
    reporter_kind: str,
    reporter_name: str,
    reporter_phone: str,
    child_name: str,
    child_age: int | None,
    child_sex: str,
    child_id_number: str = "",
    community: Area | None,
    street: Area | None = None,
    place: str = "",
    child_age_unit: str = AgeUnit.YEARS,
    concerns: Iterable[str],
    description: str,
    urgency: str,
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> MandatoryReport:
    """Store a report and route it to the supervisor of the community's street, with its triage
    deadline. `actor` None: the public intake page. A reporter who knows only the street gives the
    street (community None) and describes the place in `place`; a name not known is stored empty."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if community is not None:
        if community.level != Level.COMMUNITY or not community.is_valid_on(today):
            raise CaseworkError(_("Community: choose the community or village where the child is."))
        street = mandatory.street_of(community)
    elif street is None or street.level != Level.STREET or not street.is_valid_on(today):
        raise CaseworkError(_("Community: choose the community or village, or the street's “community not known”."))
    elif not place.strip():
        raise CaseworkError(_("Where exactly: the community is not known, describe where the child is."))
    concerns = list(dict.fromkeys(concerns))
    if not concerns or any(c not in Concern.values for c in concerns):
        raise CaseworkError(_("What happened: tick at least one of the listed kinds."))
    if urgency not in Urgency.values:
        raise CaseworkError(_("Urgency: choose one."))
    if reporter_kind not in ReporterKind.values or child_sex not in ReportedSex.values:
        raise CaseworkError(_("Choose one of the listed options."))
    if child_age_unit not in AgeUnit.values:
        raise CaseworkError(_("Choose one of the listed options."))
    if child_age is not None and not 0 <= child_age < (18 * 12 if child_age_unit == AgeUnit.MONTHS else 18):
        raise CaseworkError(_("Approximate age: a child is under 18."))
    id_fields: dict = {}
    if child_id_number.strip():
        try:
            number = parse_id_number(child_id_number).number
        except ValidationError as exc:  # its message names the position, never the number
            raise CaseworkError(_("ID number: %(reason)s") % {"reason": " ".join(exc.messages)}) from None
        id_fields = mandatory.report_id_fields(number)
    report = MandatoryReport.objects.create(
        receipt_number=mandatory.new_receipt_number(now),
        received_at=now,
        channel=ReportChannel.PUBLIC if actor is None else ReportChannel.SIGNED_IN,
        submitted_by=actor,
        reporter_institution=_text(reporter_institution, _("Reporting institution"), limit=100),
        reporter_kind=reporter_kind,
        reporter_name=_text(reporter_name, _("Reporter's name"), limit=50),
        reporter_phone=_text(reporter_phone, _("Reporter's phone"), limit=20),
        child_name="" if is_unknown_name(child_name) else _text(child_name, _("Child's name"), limit=50),
        child_age=child_age,
        child_age_unit=child_age_unit,
        child_sex=child_sex,
        community=community,
        street=street,
        place=_text(place, _("Where exactly"), limit=200, required=False),
        concerns=concerns,
        description=_text(description, _("What happened"), limit=10000),
        urgency=urgency,
        triage_due_at=mandatory.triage_deadline(now, urgency == Urgency.URGENT),
        **id_fields,
    )
    record(
        "registry.report_file",
        actor=actor,
        obj=report,
        area_code=report.street.code,
        request=request,
        actor_name="" if actor else "public intake",
        channel=report.channel,
        urgency=urgency,
        concerns=concerns,
    )
    notices.tell_report_filed(report)
    return report


def _lock_report(actor: User | None, report: MandatoryReport) -> MandatoryReport:
    report = (
        MandatoryReport.objects.select_for_update(of=("self",)).select_related("street", "community").get(pk=report.pk)
    )
    if actor is not None:
        _require(
            is_supervisor_of_street(actor, report.street),
            _("Reports are handled by the child supervisor of the street they are routed to."),
        )
    if report.state == ReportState.CLOSED:
        raise CaseworkError(_("This report is closed."))
    return report


def _mark_triaged(actor: User, report: MandatoryReport) -> None:
    if report.triaged_at is None:
        report.triaged_at, report.triaged_by = timezone.now(), actor
    if report.state == ReportState.AWAITING:
        report.state = ReportState.IN_PROGRESS


@transaction.atomic
def do_link_report(
    actor: User, report: MandatoryReport, child: Child, *, request: HttpRequest | None = None
) -> MandatoryReport:
    """Link the report to a child file the supervisor keeps; this counts as triage."""
    report = _lock_report(actor, report)
    _require(keeps_area(actor, child.residence_area), _("Link only a file of your own street."))
    report.child = child
    _mark_triaged(actor, report)
    report.save()
    record(
        "registry.report_link",
        actor=actor,
        obj=report,
        area_code=report.street.code,
        request=request,
        child=child.pk,
        by_id_number=bool(report.child_id_hash and report.child_id_hash == child.id_hash),
    )
    return report


@transaction.atomic
def do_open_file_from_report(
    actor: User,
    report: MandatoryReport,
    data: ChildData,
    *,
    use_report_id: bool = False,
    request: HttpRequest | None = None,
) -> Child:
    """Open a new child file for the report's child (the core's do_create_child, with its checks
    and duplicate refusal) and link the report to it, in one transaction."""
    report = _lock_report(actor, report)
    if use_report_id and report.child_id_ciphertext:
        data.id_number = decrypt(report.child_id_nonce, report.child_id_ciphertext)
    child = do_create_child(actor, data, request=request)
    do_link_report(actor, report, child, request=request)
    return child  # now the report's child


@transaction.atomic
def do_record_report_step(
    actor: User, report: MandatoryReport, *, actions: Iterable[str], note: str = "", request: HttpRequest | None = None
) -> ReportStep:
    """What was done (police informed, visit arranged …); the first step counts as triage."""
    report = _lock_report(actor, report)
    actions = list(dict.fromkeys(actions))
    if not actions or any(a not in ReportAction.values for a in actions):
        raise CaseworkError(_("Actions taken: tick at least one of the listed actions."))
    if ReportAction.OTHER in actions and not note.strip():
        raise CaseworkError(_("Note: say what was done."))
    step = ReportStep.objects.create(
        report=report, actions=actions, note=_text(note, _("Note"), required=False), recorded_by=actor
    )
    _mark_triaged(actor, report)
    report.save()
    record(
        "registry.report_step",
        actor=actor,
        obj=report,
        area_code=report.street.code,
        request=request,
        actions=actions,
    )
    return step


@transaction.atomic
def do_close_report(
    actor: User, report: MandatoryReport, *, outcome: str, request: HttpRequest | None = None
) -> MandatoryReport:
    report = _lock_report(actor, report)
    if report.triaged_at is None:
        raise CaseworkError(_("Record what was done before closing the report."))
    report.outcome = _text(outcome, _("Outcome"))
    report.state, report.closed_by, report.closed_at = ReportState.CLOSED, actor, timezone.now()
    report.save()
    record("registry.report_close", actor=actor, obj=report, area_code=report.street.code, request=request)
    return report


@transaction.atomic
def do_escalate_report(report: MandatoryReport, *, now: datetime.datetime | None = None) -> bool:
    """Mark an untriaged report past its deadline as escalated and raise a task for the street's
    supervisor. False when there is nothing to do (triaged meanwhile, or escalated already)."""
    now = now or timezone.now()
    report = MandatoryReport.objects.select_for_update().select_related("street").get(pk=report.pk)
    if report.escalated_at is not None or not report.is_past_deadline(now):
        return False
    report.escalated_at = now
    report.save(update_fields=["escalated_at"])
    record(
        "registry.report_escalate",
        obj=report,
        area_code=report.street.code,
        urgency=report.urgency,
        hours_late=round((now - report.triage_due_at).total_seconds() / 3600, 1),
    )
    due = timezone.localdate(now) + datetime.timedelta(days=current_policy().tasks.escalated_report_days)
    _raise_task(TaskKind.REPORT_ESCALATED, report.street, due, report=report, child=report.child)
    notices.tell_report_escalated(report)
    return True


def escalate_overdue_reports(now: datetime.datetime | None = None) -> int:
    """Escalate every report past its triage deadline; each in its own transaction, so that one
    failure does not hold back the rest. Returns how many were escalated. Run when the pages that
    show reports are viewed and by `childfirst registry escalate` (cron)."""
    now = now or timezone.now()
    pending = MandatoryReport.objects.past_deadline(now).filter(escalated_at__isnull=True)
    return sum(do_escalate_report(report, now=now) for report in pending)
