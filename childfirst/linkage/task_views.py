"""Verification task pages: the director's (and supervisor's) task list, a task with its evidence,
confirming (opening the file through the registry's form, prefilled from the lists), rejecting with a
reason; the office's counts. Every page that shows list records writes the access log."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role
from childfirst.areas.models import Area
from childfirst.registry.children.access import creatable_areas
from childfirst.registry.children.forms import ChildForm
from childfirst.registry.models import Grade

from . import verification
from .access import can_act, get_task_for_user, log_records_view, reviews_visible_to, tasks_visible_to
from .current import kind_label, source_label
from .discovery import rules
from .models import TaskState, VerificationTask
from .presentation import record_fields
from .sources import get_source

KEEPERS = (Role.COMMUNITY_DIRECTOR, Role.STREET_SUPERVISOR)
STATES = [s for s, _label in TaskState.choices]


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["reason"]).choices = [
            (r.key, r.display_name) for r in rules().reject_reasons
        ]


def task_summary(user: Any) -> dict[str, int]:
    """Open and overdue tasks in the user's scope (for the work list's link)."""
    today = timezone.localdate()
    tasks = tasks_visible_to(user).filter(state=TaskState.OPEN)
    return {"open": tasks.count(), "overdue": tasks.filter(deadline__lt=today).count()}


def review_summary(user: Any) -> int:
    """Pairs awaiting the user's review (for the supervisor's dashboard)."""
    return reviews_visible_to(user).filter(state="pending").count()


def _title(rule_key: str) -> str:
    rule = rules().rule(rule_key)
    return rule.display_title if rule else rule_key


@never_cache
@role_required(*KEEPERS)
def task_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The tasks of the user's community (street), open ones first by deadline; a supervisor also sees
    every community's tasks by state and what is overdue."""
    user = request.user
    state = request.GET.get("state", TaskState.OPEN)
    if state not in STATES:
        return HttpResponse(_("Unknown state."), status=400)
    today = timezone.localdate()
    visible = tasks_visible_to(user)
    tasks = [
        {
            "task": task,
            "title": _title(task.rule),
            "overdue": task.state == TaskState.OPEN and task.deadline < today,
            "name": task.child.name if task.child else (task.person.name if task.person else ""),
        }
        for task in visible.filter(state=state)
        .select_related("person", "child", "community", "street")
        .order_by("deadline", "pk")
    ]
    by_community: list[dict[str, Any]] = []
    if user.role == Role.STREET_SUPERVISOR:
        table: dict[int | None, Counter[str]] = defaultdict(Counter)
        for community_id, task_state, deadline in visible.values_list("community_id", "state", "deadline"):
            table[community_id][task_state] += 1
            if task_state == TaskState.OPEN and deadline < today:
                table[community_id]["overdue"] += 1
        names = Area.objects.in_bulk([c for c in table if c is not None])
        for place, counts in table.items():
            community = names.get(place) if place is not None else None
            by_community.append(
                {"community": community, **{s: counts[s] for s in STATES}, "overdue": counts["overdue"]}
            )
        by_community.sort(key=lambda row: row["community"].code if row["community"] else "")
    log_records_view(request, "verification task list", len(tasks))
    return render(
        request,
        "linkage/task_list.html",
        {
            "tasks": tasks,
            "state": state,
            "states": TaskState.choices,
            "by_community": by_community,
            "overdue": sum(row["overdue"] for row in tasks),
            "today": today,
        },
    )


def _task_context(request: AuthenticatedHttpRequest, task: VerificationTask) -> dict[str, Any]:
    records = verification.evidence_records(task)
    rule = rules().rule(task.rule)
    child = verification.task_file(task)
    log_records_view(request, f"verification task {task.pk}", records, child)
    rows = []
    for rec in records:
        rows.append(
            {
                "source": source_label(rec.source),
                "as_of": rec.list_import.as_of,
                "fields": record_fields(rec),
                "rec": rec,
            }
        )
    category = verification.task_category(task, rule) if rule else None
    return {
        "task": task,
        "rule": rule,
        "title": rule.display_title if rule else task.rule,
        "rows": rows,
        "child": child,
        "category": category,
        "absent": [kind_label(k) for k in (rule.when.in_none_of if rule else [])],
        "can_act": can_act(request.user, task),
        "reject_form": RejectForm(),
        "opens_file": bool(rule and rule.confirm == "open_file" and child is None),
        "today": timezone.localdate(),
    }


@never_cache
@role_required(*KEEPERS)
def task_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(request, pk)
    return render(request, "linkage/task_detail.html", _task_context(request, task))


def _refused(
    request: AuthenticatedHttpRequest, task: VerificationTask, exc: Exception, status: int = 400
) -> HttpResponse:
    context = _task_context(request, task)
    context["error"] = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    return render(request, "linkage/task_detail.html", context, status=status)


@never_cache
@role_required(*KEEPERS)
@require_POST
def task_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Confirm: a task that opens a file goes to the prefilled form; the others are done here."""
    task = get_task_for_user(request, pk)
    if not can_act(request.user, task):
        raise PermissionDenied
    rule = rules().rule(task.rule)
    if rule is not None and rule.confirm == "open_file" and verification.task_file(task) is None:
        return redirect("linkage:task_open_file", pk=task.pk)
    try:
        verification.do_confirm_task(request.user, task, note=request.POST.get("note", "")[:200], request=request)
    except ValidationError as exc:
        return _refused(request, task, exc)
    messages.success(request, _("The task is confirmed."))
    return redirect("linkage:task", pk=task.pk)


def _is_household_registration(source_key: str) -> bool:
    source = get_source(source_key)
    return source is not None and source.household_registration


def _initial(task: VerificationTask, user: Any) -> dict[str, Any]:
    """The registry's new-file form filled from the task's evidence (population lists first)."""
    records = sorted(verification.evidence_records(task), key=lambda r: r.proves not in ("population", "residence"))
    rule = verification.task_rule(task)
    first = records[0] if records else None
    person = task.person
    initial: dict[str, Any] = {}
    if first is not None or person is not None:
        initial["name"] = (person.name if person else "") or (first.name if first else "")
        sex = (person.sex if person else "") or (first.sex if first else "")
        initial["sex"] = {"M": "male", "F": "female"}.get(sex, "")
        initial["birth_date"] = (person.birth_date if person else None) or (first.birth_date if first else None)
        registered = [r for r in records if _is_household_registration(r.source)]
        # Where the child lives: a residence or school list's address before the registered one.
        addresses = [r.address for r in records if r.address and r not in registered]
        addresses += [r.address for r in registered if r.address]
        initial["address"] = addresses[0] if addresses else ""
        hukou = next((r.community_id for r in registered if r.community_id), None)
        if hukou is not None:
            initial["hukou_area"] = hukou  # registered in the district: its community, not "outside"
        schools = [r.school for r in records if r.school]
        initial["school"] = schools[0] if schools else ""
        if rule.category == "out_of_school":
            initial["grade"] = Grade.NOT_IN_SCHOOL
        guardians = [r.guardian_name for r in records if r.guardian_name]
        if guardians:
            initial["guardian_name"] = guardians[0]
    community = task.community
    if community is not None and creatable_areas(user).filter(pk=community.pk).exists():
        initial["residence_area"] = community.pk
    category = verification.task_category(task, rule)
    if category is not None:
        initial["categories"] = [category.pk]
        initial["categories_since"] = timezone.localdate()
        initial["categories_evidence"] = verification.evidence_text(
            verification.evidence_records(task), verification.absent_kinds(rule)
        )
    return initial


@sensitive_post_parameters()
@never_cache
@role_required(*KEEPERS)
def task_open_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The registry's own new-file form, prefilled from the lists; the director checks and saves it,
    which opens the file (do_create_child) and confirms the task in one step."""
    task = get_task_for_user(request, pk)
    if not can_act(request.user, task) or verification.task_file(task) is not None:
        raise PermissionDenied
    rule = verification.task_rule(task)
    if rule.confirm != "open_file":
        raise PermissionDenied
    if request.method == "POST":
        form = ChildForm(request.POST, user=request.user)
    else:
        form = ChildForm(initial=_initial(task, request.user), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            task = verification.do_confirm_task(request.user, task, child_data=form.child_data(), request=request)
        except verification.registry_actions.DuplicateChild as exc:
            verification.registry_actions.record_duplicate_refusal(request.user, exc, request=request)
            form.add_error(None, exc.messages[0])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The file is opened and the task confirmed."))
            return redirect("registry:child", pk=task.child_id)
    records = verification.evidence_records(task)
    log_records_view(request, f"verification task {task.pk}", records)
    listed = next((r.id_masked for r in records if r.id_valid and r.id_masked), "")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "linkage/task_open_file.html",
        {"form": form, "task": task, "title": rule.display_title, "listed_id": listed},
        status=status,
    )


@never_cache
@role_required(*KEEPERS)
@require_POST
def task_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(request, pk)
    if not can_act(request.user, task):
        raise PermissionDenied
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _refused(request, task, ValidationError(_("Choose a reason from the list.")))
    try:
        verification.do_reject_task(
            request.user, task, form.cleaned_data["reason"], form.cleaned_data["note"], request=request
        )
    except ValidationError as exc:
        return _refused(request, task, exc)
    messages.success(request, _("The task is rejected."))
    return redirect("linkage:task", pk=task.pk)


@never_cache
@role_required(Role.OFFICE)
def task_counts(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Counts only: tasks by street and state, and how many are overdue — no task, no child."""
    today = timezone.localdate()
    table: dict[int, Counter[str]] = defaultdict(Counter)
    by_rule: Counter[str] = Counter()
    for street_id, state, deadline, rule in VerificationTask.objects.values_list(
        "street_id", "state", "deadline", "rule"
    ):
        table[street_id][state] += 1
        if state == TaskState.OPEN:
            by_rule[rule] += 1
            if deadline < today:
                table[street_id]["overdue"] += 1
    streets = Area.objects.in_bulk(list(table))
    rows = [
        {"street": streets[sid], **{s: c[s] for s in STATES}, "overdue": c["overdue"]}
        for sid, c in sorted(table.items(), key=lambda kv: streets[kv[0]].code)
    ]
    return render(
        request,
        "linkage/task_counts.html",
        {"rows": rows, "by_rule": [(_title(k), n) for k, n in sorted(by_rule.items())], "states": TaskState.choices},
    )
