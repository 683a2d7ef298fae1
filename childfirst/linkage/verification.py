"""The state changes of verification tasks and review pairs, one `do_*` function each: atomic, with
its audit row (identifiers only, never a name or ID number) in the same transaction.

Confirming goes through the registry's own actions (do_create_child, do_add_category, do_exit_child),
so a file opened or closed from a task is checked, audited and logged exactly as one opened or
closed by hand."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.accounts.audit import record
from childfirst.accounts.models import User
from childfirst.registry.children import actions as registry_actions
from childfirst.registry.children import crypto
from childfirst.registry.models import CategoryType, Child, ChildStatus, ExitReason

from .access import can_act, can_decide, can_undo
from .discovery import Rule, eighteenth_birthday, rules
from .models import Person, ReviewItem, ReviewState, SourceRecord, TaskState, VerificationTask
from .presentation import evidence_text


def _area_code(task: VerificationTask) -> str:
    return (task.community or task.street).code


def task_rule(task: VerificationTask) -> Rule:
    rule = rules().rule(task.rule)
    if rule is None:
        raise ValidationError(_("This task's rule is no longer in the discovery rules; it cannot be confirmed."))
    return rule


def task_category(task: VerificationTask, rule: Rule) -> CategoryType | None:
    """The registry category the task suggests: the rule's, or the one its evidence list proves."""
    if not rule.category:
        return None
    code = rule.category
    if code == "from_evidence":
        proven = [r.proves.partition(":")[2] for r in task.evidence.all() if r.proves.startswith("category:")]
        if not proven:
            return None
        code = sorted(proven)[0]
    return CategoryType.objects.filter(code=code).first()


def task_file(task: VerificationTask) -> Child | None:
    """The task's registry file: the one it was raised on, else the person's (attached since)."""
    if task.child_id is not None:
        return task.child
    if task.person_id is not None and task.person is not None:
        return Child.objects.filter(person=task.person).first()
    return None


def listed_id_number(task: VerificationTask) -> str:
    """A valid ID number the task's evidence carries (decrypted for the new file only), else ""."""
    for rec in task.evidence.filter(id_valid=True, id_ciphertext__isnull=False).order_by("pk"):
        return crypto.decrypt(rec.id_nonce, rec.id_ciphertext)
    return ""


def absent_kinds(rule: Rule) -> list[str]:
    return list(rule.when.in_none_of)


def _lock(task: VerificationTask, actor: User) -> VerificationTask:
    locked = VerificationTask.objects.select_for_update().get(pk=task.pk)
    if not can_act(actor, locked):
        raise PermissionDenied(_("This task is not yours to decide, or it is decided already."))
    return locked


def _exit_date(task: VerificationTask, rule: Rule, child: Child, today: datetime.date) -> datetime.date:
    if rule.exit_reason == ExitReason.TURNED_18:
        birthday = eighteenth_birthday(child.birth_date)
        if birthday > today:
            raise ValidationError(
                _("The child turns 18 on %(date)s; confirm the exit on or after that day.") % {"date": birthday}
            )
        return birthday
    if rule.exit_reason == ExitReason.DECEASED:
        dates = [
            r.event_date for r in task.evidence.all() if r.event_date and child.birth_date <= r.event_date <= today
        ]
        return max(dates) if dates else today
    return today


@transaction.atomic
def do_confirm_task(
    actor: User,
    task: VerificationTask,
    *,
    child_data: registry_actions.ChildData | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> VerificationTask:
    """Confirm the finding. An open-file rule opens the file from `child_data` (the registry's form,
    prefilled from the lists and saved by the director), or adds the suggested category with the
    lists as evidence when the file exists; an exit rule closes the file with the rule's reason."""
    locked = _lock(task, actor)
    rule = task_rule(locked)
    today = timezone.localdate()
    child = task_file(locked)
    outcome = ""
    if rule.confirm == "open_file":
        category = task_category(locked, rule)
        evidence = evidence_text(locked.evidence.select_related("list_import"), absent_kinds(rule))
        if child is None:
            if child_data is None:
                raise ValidationError(_("Open the file with the form: the task has no file yet."))
            if not child_data.id_number:
                child_data.id_number = listed_id_number(locked)
            child = registry_actions.do_create_child(actor, child_data, request=request)
            outcome = "file_opened"
            if locked.person_id is not None:
                Person.objects.filter(child=child).exclude(pk=locked.person_id).update(child=None)
                Person.objects.filter(pk=locked.person_id).update(child=child, child_probability=1.0)
        elif category is not None and not child.categories.filter(type=category, end__isnull=True).exists():
            registry_actions.do_add_category(actor, child, category, today, evidence, request=request)
            outcome = "category_added"
        else:
            outcome = "already_recorded"
    else:
        if child is None or child.status != ChildStatus.ACTIVE:
            raise ValidationError(_("The file is closed already or does not exist."))
        assert rule.exit_reason is not None  # an exit rule names its reason (checked on load)
        registry_actions.do_exit_child(
            actor, child, rule.exit_reason, _exit_date(locked, rule, child, today), note or rule.title, request=request
        )
        outcome = "file_closed"
    locked.state = TaskState.CONFIRMED
    locked.child = child
    locked.note = note.strip()
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["state", "child", "note", "decided_by", "decided_at"])
    record(
        "linkage.task_confirmed",
        actor=actor,
        obj=locked,
        area_code=_area_code(locked),
        request=request,
        rule=locked.rule,
        outcome=outcome,
        child=child.pk if child else None,
    )
    return locked


@transaction.atomic
def do_reject_task(
    actor: User, task: VerificationTask, reason: str, note: str = "", *, request: HttpRequest | None = None
) -> VerificationTask:
    """Reject the finding with a reason from the rules file (a note when the reason asks for one)."""
    locked = _lock(task, actor)
    spec = rules().reason(reason)
    if spec is None:
        raise ValidationError({"reason": [_("Choose a reason from the list.")]})
    note = note.strip()
    if spec.note_required and len(note) < 2:
        raise ValidationError({"note": [_("Say what the reason is.")]})
    locked.state = TaskState.REJECTED
    locked.reason = reason
    locked.note = note[:2000]
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["state", "reason", "note", "decided_by", "decided_at"])
    record(
        "linkage.task_rejected",
        actor=actor,
        obj=locked,
        area_code=_area_code(locked),
        request=request,
        rule=locked.rule,
        reason=reason,
    )
    return locked


@transaction.atomic
def do_decide_review(actor: User, item: ReviewItem, decision: str, *, request: HttpRequest | None = None) -> ReviewItem:
    """Same child or different children. Kept under the pair's key: the next linkage run applies it
    (links or separates the two) and every later run keeps applying it."""
    if decision not in (ReviewState.MATCH, ReviewState.NON_MATCH):
        raise ValidationError({"decision": [_("Choose: same child or different children.")]})
    locked = ReviewItem.objects.select_for_update().get(pk=item.pk)
    if not can_decide(actor, locked):
        raise PermissionDenied(_("This pair is not yours to decide, or it is decided already."))
    locked.state = decision
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["state", "decided_by", "decided_at"])
    record(
        "linkage.review_decided",
        actor=actor,
        obj=locked,
        area_code=locked.street.code if locked.street else "",
        request=request,
        decision=decision,
        probability=round(locked.probability, 4),
    )
    return locked


@transaction.atomic
def do_undo_review(actor: User, item: ReviewItem, *, request: HttpRequest | None = None) -> ReviewItem:
    """Take a decision back: the pair awaits review again (what was decided stays in the audit log)."""
    locked = ReviewItem.objects.select_for_update().get(pk=item.pk)
    if not can_undo(actor, locked):
        raise PermissionDenied(_("This pair is not yours to decide, or it is not decided."))
    undone = locked.state
    locked.state = ReviewState.PENDING
    locked.decided_by = None
    locked.decided_at = None
    locked.save(update_fields=["state", "decided_by", "decided_at"])
    record(
        "linkage.review_undone",
        actor=actor,
        obj=locked,
        area_code=locked.street.code if locked.street else "",
        request=request,
        undone=undone,
    )
    return locked


def evidence_records(task: VerificationTask) -> list[SourceRecord]:
    return list(task.evidence.select_related("list_import", "street", "community").order_by("source", "pk"))
