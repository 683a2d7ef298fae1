"""Pages of the child files: the list with search and filters, a file, opening and editing one,
its guardians, categories, photo and exit, the CSV export, and the office's access grants.

Every page gets its children through Child.objects.visible_to / get_child_for_user and writes the
access log. Views that receive names or ID numbers mark their POST data as sensitive, so that no
error report ever carries it. Searches travel by POST (htmx or a plain form), so names and ID numbers never land
in a URL, a server log or the browser's history; pages with personal data are never cached.
"""

from __future__ import annotations

import io
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from childfirst.accounts.audit import record
from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role, User
from childfirst.areas.models import Area
from childfirst.confirm import is_confirmed
from childfirst.linkage.run import Suggestion, suggest_files
from childfirst.registry.models import AccessAction, Child, ChildPhoto, ChildStatus, Referral, RegistryGrant
from childfirst.spreadsheet import csv_writer

from . import actions
from .access import (
    REGISTRY_ROLES,
    can_create_in,
    can_reveal_id,
    get_child_for_user,
    get_grant_for_user,
    is_file_keeper,
    log_access,
    sees_referral_fields_only,
)
from .confirm_steps import end_category_step, remove_guardian_step
from .forms import (
    CategoryForm,
    ChildForm,
    EndCategoryForm,
    ExitForm,
    ExportForm,
    GrantForm,
    GuardianForm,
    PhotoForm,
    RejectGrantForm,
    RevealForm,
    SearchForm,
)
from .idnumber import clean_characters, looks_like_id, mask_id
from .search import BadCursor, list_page, search_children, with_list_fields

PAGE_SIZE = 50
CASEWORK_SECTIONS = "registry/casework/_child_sections.html"


def _fail(form: Any, error: ValidationError) -> None:
    """Put an action's ValidationError on the form: on its fields where it names them."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# ----- the list ----------------------------------------------------------------------------------


def _communities(user: User) -> QuerySet[Area]:
    """The communities offered in the list's filter: those the user's files can be in.

    One index probe per area for its first visible file, as a scalar subquery: PostgreSQL turns
    an EXISTS into a join that reads the area of each of a street's 70,000 files (60 ms)."""
    first = Child.objects.visible_to(user).filter(residence_area=OuterRef("pk")).order_by().values("pk")[:1]
    return Area.objects.annotate(first_file=Subquery(first)).filter(first_file__isnull=False).order_by("code")


def _search(user: User, form: SearchForm) -> tuple[QuerySet[Child], str]:
    data = form.cleaned_data if form.is_valid() else {}
    return search_children(
        user,
        data.get("q") or "",
        community=data.get("community"),
        category=data.get("category"),
        # The list opens on the active files; a search form sent with "all" shows both.
        status=data.get("status", "") if form.is_bound else ChildStatus.ACTIVE,
    )


def _list_areas(form: SearchForm) -> list[tuple[int, str]]:
    """The areas the list's files can be in, in code order (search.list_page walks them)."""
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("community") is not None:
        return [(data["community"].pk, data["community"].code)]
    return form.areas


def _list_page(
    request: AuthenticatedHttpRequest, form: SearchForm, export_form: ExportForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    children, note = _search(user, form)
    data = form.cleaned_data if form.is_valid() else {}
    areas = _list_areas(form)
    searched = bool(data.get("q") or data.get("category"))
    try:
        page = list_page(
            children,
            PAGE_SIZE,
            cursor=data.get("cursor") or "",
            number=data.get("page"),
            areas=areas,
            searched=searched,
        )
    except BadCursor:
        # A stale or altered cursor: say so, and show the first page rather than nothing.
        form.add_error(None, _("That page of the list is no longer there; here is the first page."))
        page, status = list_page(children, PAGE_SIZE, areas=areas, searched=searched), 400
    if form.is_bound and form.has_error("cursor"):
        status = 400
    log_access(request, None, AccessAction.SEARCH, result_count=page.count)
    term = form.data.get("q", "") if form.is_bound else ""
    if looks_like_id(term):
        # The page shows the number it was asked for masked, like every other number on it.
        data = cast(QueryDict, form.data).copy()  # a bound form's data is request.POST
        data["q"] = mask_id(clean_characters(term))
        form.data = data
    context = {
        "form": form,
        "page": page,
        "note": note,
        "limited": sees_referral_fields_only(user),
        "can_create": can_create_in(user, form.communities),
        "export_form": export_form or ExportForm(),
        "is_office": user.role == Role.OFFICE,
        "count_bound": number_format(page.bound, force_grouping=True),
    }
    template = "registry/_child_results.html" if request.headers.get("HX-Request") else "registry/child_list.html"
    return render(request, template, context, status=status)


def _search_form(request: AuthenticatedHttpRequest) -> SearchForm:
    user = request.user
    # The communities once: the list walks them and the filter offers them.
    communities = list(_communities(user))
    kwargs: dict[str, Any] = {"communities": communities, "show_categories": not sees_referral_fields_only(user)}
    return SearchForm(request.POST, **kwargs) if request.method == "POST" else SearchForm(**kwargs)


@sensitive_post_parameters()
@never_cache
@role_required(*REGISTRY_ROLES)
def child_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every child file the user may see; POST carries the search (htmx swaps the results in)."""
    return _list_page(request, _search_form(request))


def _birth_date_cell(child: Child) -> str:
    """The date, or for an estimated one "约 2017-06-01（估计）" (in the reader's language), so that
    nobody takes it for the date on a birth certificate."""
    if child.birth_date_estimated:
        return _("about %(date)s (estimated)") % {"date": child.birth_date.isoformat()}
    return child.birth_date.isoformat()


def _age_cell(child: Child) -> str | int:
    return _("about %(age)s") % {"age": child.age} if child.birth_date_estimated else child.age


@sensitive_post_parameters()
@never_cache
@role_required(*REGISTRY_ROLES)
@require_POST
def child_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The list as filtered, all pages, as CSV: a stated reason, the user and time in the file's
    header, one access-log row per child and an audit row with the count."""
    form = _search_form(request)
    export_form = ExportForm(request.POST)
    if not export_form.is_valid():
        return _list_page(request, form, export_form, status=400)
    user = request.user
    limited = sees_referral_fields_only(user)
    children = list(with_list_fields(_search(user, form)[0]).select_related("hukou_area").prefetch_related("guardians"))
    reason = export_form.cleaned_data["reason"]
    now = timezone.localtime()
    stream = io.StringIO()
    stream.write("\ufeff")  # byte-order mark: Excel then reads the file as UTF-8
    writer = csv_writer(stream)  # names, schools, reasons: never a formula in Excel
    writer.writerow(
        [
            _("Child files exported by %(user)s at %(time)s")
            % {"user": user.get_username(), "time": f"{now:%Y-%m-%d %H:%M}"}
        ]
    )
    writer.writerow([_("Reason: %(reason)s") % {"reason": reason}])
    writer.writerow([_("Personal data of children: for this work only; do not pass on; delete when done.")])
    if limited:
        writer.writerow([_("File"), _("Name"), _("Sex"), _("Age"), _("Community")])
    else:
        writer.writerow(
            [
                _("File"),
                _("Name"),
                _("Sex"),
                _("Date of birth"),
                _("Age"),
                _("ID number (masked)"),
                _("Community"),
                _("Household registration"),
                _("School"),
                _("Grade"),
                _("Categories"),
                _("Primary guardian"),
                _("Guardian's phone"),
                _("Status"),
            ]
        )
    for child in children:
        if limited:
            writer.writerow(
                [child.pk, child.name, child.get_sex_display(), _age_cell(child), child.residence_area.name]
            )
            continue
        guardian = next((g for g in child.guardians.all() if g.is_primary), None)
        writer.writerow(
            [
                child.pk,
                child.name,
                child.get_sex_display(),
                _birth_date_cell(child),
                _age_cell(child),
                child.id_masked,
                child.residence_area.name,
                child.hukou_area.name if child.hukou_area else child.hukou_place,
                child.school,
                child.get_grade_display(),
                "、".join(c.type.name for c in child.current_categories),
                guardian.name if guardian else "",
                guardian.phone if guardian else "",
                child.get_status_display(),
            ]
        )
    log_access(request, children, AccessAction.EXPORT, reason)
    record("registry.children_exported", actor=user, request=request, count=len(children))
    response = HttpResponse(stream.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="children-{now:%Y%m%d-%H%M}.csv"'
    return response


# ----- one file ----------------------------------------------------------------------------------


def _detail_page(
    request: AuthenticatedHttpRequest,
    child: Child,
    can_edit: bool,
    *,
    status: int = 200,
    revealed: str = "",
    **bound: Any,
) -> HttpResponse:
    user = request.user
    limited = sees_referral_fields_only(user)
    referrals = Referral.objects.filter(child=child).select_related("department", "opened_by").order_by("-opened_at")
    if limited:
        # A department user has a department (User.clean); without one no referral is theirs.
        if user.department_id is None:
            referrals = referrals.none()
        else:
            referrals = referrals.open().filter(department_id=user.department_id)
    context: dict[str, Any] = {
        "child": child,
        "can_edit": can_edit,
        "limited": limited,
        "referrals": list(referrals),
        "revealed": revealed,
    }
    if not limited:
        context.update(
            {
                "can_reveal": can_reveal_id(user, child),
                "guardians": list(child.guardians.all()),
                "categories": list(child.categories.select_related("type", "recorded_by").order_by("-start")),
                "has_photo": hasattr(child, "photo"),
                "reveal_form": bound.get("reveal_form") or RevealForm(),
                "recent_access": list(child.access_log.select_related("user")[:10]) if can_edit else [],
                "casework": _casework_template(),
            }
        )
    if can_edit:
        context.update(
            {
                "guardian_form": bound.get("guardian_form") or GuardianForm(),
                "category_form": bound.get("category_form") or CategoryForm(initial={"start": timezone.localdate()}),
                "end_form": bound.get("end_form") or EndCategoryForm(initial={"end": timezone.localdate()}),
                "photo_form": bound.get("photo_form") or PhotoForm(),
                "exit_form": bound.get("exit_form") or ExitForm(initial={"exit_date": timezone.localdate()}),
                "failed": next(iter(bound), ""),
            }
        )
    return render(request, "registry/child_detail.html", context, status=status)


def _casework_template() -> str:
    """The casework's sections of a file (visits, risk, assistance), when that part is installed."""
    try:
        select_template([CASEWORK_SECTIONS])
    except Exception:
        return ""
    return CASEWORK_SECTIONS


@never_cache
@role_required(*REGISTRY_ROLES)
def child_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    child, can_edit = get_child_for_user(request, pk)
    return _detail_page(request, child, can_edit)


@sensitive_post_parameters()
@never_cache
@role_required(*REGISTRY_ROLES)
@require_POST
def child_reveal_id(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The full ID number, once, for a stated purpose (logged); htmx swaps it into the page."""
    child, can_edit = get_child_for_user(request, pk, action=None)
    if not can_reveal_id(request.user, child):
        raise PermissionDenied
    form = RevealForm(request.POST)
    number = ""
    if form.is_valid():
        try:
            number = actions.do_reveal_id(request.user, child, form.cleaned_data["purpose"], request=request)
        except ValidationError as exc:
            _fail(form, exc)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "registry/_reveal.html",
            {"child": child, "reveal_form": form, "revealed": number, "can_reveal": True},
        )
    return _detail_page(request, child, can_edit, revealed=number, reveal_form=form, status=200 if number else 400)


@never_cache
@role_required(*REGISTRY_ROLES)
def child_photo(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The photo, only through this checked and logged view (never a public file URL)."""
    child, _can_edit = get_child_for_user(request, pk, action=None)
    if sees_referral_fields_only(request.user):
        raise PermissionDenied
    log_access(request, child, AccessAction.PHOTO)
    photo = get_object_or_404(ChildPhoto, child=child)
    response = HttpResponse(bytes(photo.content), content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


def _keeper_child(request: AuthenticatedHttpRequest, pk: int) -> Child:
    """The file for a change: visible, and editable by this user (else 403)."""
    child, can_edit = get_child_for_user(request, pk, action=None)
    if not can_edit:
        raise PermissionDenied
    return child


@sensitive_post_parameters()
@never_cache
@role_required(Role.COMMUNITY_DIRECTOR, Role.STREET_SUPERVISOR)
def child_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not is_file_keeper(user):
        raise PermissionDenied
    form = ChildForm(request.POST or None, user=user)
    existing = None
    suggestions: list[Suggestion] = []
    if request.method == "POST" and form.is_valid():
        data = form.child_data()
        if not data.id_number and not request.POST.get("not_a_known_child"):
            suggestions = _possible_files(request, data)
    if request.method == "POST" and form.is_valid() and not suggestions:
        try:
            child = actions.do_create_child(user, form.child_data(), request=request)
        except actions.DuplicateChild as exc:
            actions.record_duplicate_refusal(user, exc, request=request)
            existing = exc.existing
            _fail(form, exc)
        except ValidationError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("The file is opened."))
            return redirect("registry:child", pk=child.pk)
    status = 400 if request.method == "POST" and not suggestions else 200
    context = {"form": form, "existing": existing, "suggestions": suggestions}
    return render(request, "registry/child_form.html", context, status=status)


def _possible_files(request: AuthenticatedHttpRequest, data: actions.ChildData) -> list[Suggestion]:
    """Files in the user's scope that the matcher takes for the child being entered without an ID number
    (the same name, a homophone, day and month swapped …): shown before a second file is opened.
    Candidates are the active files of the same name or born within a year, so the matcher sees few."""
    year = data.birth_date.year
    candidates = (
        Child.objects.visible_to(request.user)
        .filter(status=ChildStatus.ACTIVE)
        .filter(Q(name=data.name) | Q(birth_date__year__gte=year - 1, birth_date__year__lte=year + 1))
        .select_related("residence_area")[:3000]
    )
    found = suggest_files(
        candidates, name=data.name, birth_date=data.birth_date, sex=data.sex, area=data.residence_area
    )
    if found:
        log_access(request, None, AccessAction.SEARCH, _("files that may be this child"), result_count=len(found))
    return found


@sensitive_post_parameters()
@never_cache
@role_required(Role.COMMUNITY_DIRECTOR, Role.STREET_SUPERVISOR)
def child_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        child = _keeper_child(request, pk)
    else:
        child, can_edit = get_child_for_user(request, pk)
        if not can_edit:
            raise PermissionDenied
    form = ChildForm(request.POST or None, user=request.user, child=child)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                actions.do_update_child(
                    request.user,
                    child,
                    version=form.cleaned_data["version"],
                    changes=form.changes(),
                    id_number=form.cleaned_data.get("id_number") or None,
                    request=request,
                )
            except actions.StaleEdit as exc:
                form.add_error(None, str(exc))
                form.add_error(
                    None, _("Your entries are still in the form: open the file in a new tab to see what changed.")
                )
                data = cast(QueryDict, form.data).copy()  # a bound form's data is request.POST
                data["version"] = str(Child.objects.values_list("version", flat=True).get(pk=child.pk))
                form.data = data
                status = 409
            except actions.DuplicateChild as exc:
                actions.record_duplicate_refusal(request.user, exc, request=request)
                _fail(form, exc)
            except ValidationError as exc:
                _fail(form, exc)
            else:
                messages.success(request, _("The file is saved."))
                return redirect("registry:child", pk=child.pk)
    return render(request, "registry/child_form.html", {"form": form, "child": child}, status=status)


def _after_change(
    request: AuthenticatedHttpRequest, child: Child, form_name: str, form: Any, change: Any
) -> HttpResponse:
    """Run `change` for a valid form; back to the file, or the file with the form's errors (400)."""
    if form.is_valid():
        try:
            change()
        except ValidationError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:child", pk=child.pk)
    child.refresh_from_db()
    return _detail_page(request, child, True, status=400, **{form_name: form})


@sensitive_post_parameters()
@role_required(Role.COMMUNITY_DIRECTOR, Role.STREET_SUPERVISOR)
@require_POST
def guardian_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    child = _keeper_child(request, pk)
    form = GuardianForm(request.POST)
    return _after_change(
        request,
        child,
        "guardian_form",
        form,
        lambda: actions.do_add_guardian(request.user, child, form.guardian_data(), request=request),
    )


@role_required(Role.COMMUNITY_DIRECTOR, Role.STREET_SUPERVISOR)
@require_POST
def guardian_remove(request: AuthenticatedHttpRequest, pk: int, guardian: int) -> HttpResponse:
    child = _keeper_child(request, pk)
    entry = get_object_or_404(child.guardians, pk=guardian)
    if not is_confirmed(request):
        return remove_guardian_step(request, child, entry)
    actions.do_remove_guardian(request.user, entry, request=request)
    messages.success(request, _("Saved."))
    return redirect("registry:child", pk=child.pk)


@role_required(Role.COMMUNITY_DIRECTOR, Role.STREET_SUPERVISOR)
@require_POST
def category_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    child = _keeper_child(request, pk)
    form = CategoryForm(request.POST)
    return _after_change(
        request,
        child,
        "category_form",
        form,
        lambda: actions.do_add_category(
            request.user,
            child,
            form.cleaned_data["type"],
            form.cleaned_data["start"],
            form.cleaned_data["evidence"],
            request=request,
        ),
    )


@role_required(Role.COMMUNITY_DIRECTOR, Role.STREET_SUPERVISOR)
@require_POST
def category_end(request: AuthenticatedHttpRequest, pk: int, category: int) -> HttpResponse:
    child = _keeper_child(request, pk)
    entry = get_object_or_404(child.categories.select_related("type"), pk=category)
    form = EndCategoryForm(request.POST)
    if form.is_valid() and not is_confirmed(request):
        return end_category_step(request, child, entry, form.cleaned_data["end"])
    return _after_change(
        request,
        child,
        "end_form",
        form,
        lambda: actions.do_end_category(request.user, entry, form.cleaned_data["end"], request=request),
    )


@role_required(Role.COMMUNITY_DIRECTOR, Role.STREET_SUPERVISOR)
@require_POST
def photo_set(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    child = _keeper_child(request, pk)
    if request.POST.get("remove"):
        actions.do_remove_photo(request.user, child, request=request)
        messages.success(request, _("Saved."))
        return redirect("registry:child", pk=child.pk)
    form = PhotoForm(request.POST, request.FILES)
    return _after_change(
        request,
        child,
        "photo_form",
        form,
        lambda: actions.do_set_photo(request.user, child, form.cleaned_data["photo"], request=request),
    )


@role_required(Role.COMMUNITY_DIRECTOR, Role.STREET_SUPERVISOR)
@require_POST
def child_exit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    child = _keeper_child(request, pk)
    form = ExitForm(request.POST)
    return _after_change(
        request,
        child,
        "exit_form",
        form,
        lambda: actions.do_exit_child(
            request.user,
            child,
            form.cleaned_data["exit_reason"],
            form.cleaned_data["exit_date"],
            form.cleaned_data["exit_note"],
            request=request,
        ),
    )


# ----- the office's access grants ----------------------------------------------------------------


def _grant_error(form: Any, error: ValidationError) -> None:
    """An action's refusal on the request form, where the action's end date is the form's "until"."""
    if hasattr(error, "error_dict"):
        error = ValidationError({"expires_on" if k == "expires_at" else k: v for k, v in error.error_dict.items()})
    _fail(form, error)


def _grants_page(
    request: AuthenticatedHttpRequest,
    form: GrantForm,
    reject_form: RejectGrantForm | None = None,
    rejecting: int | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    rows = (
        RegistryGrant.objects.visible_to(user)
        .select_related("user", "area", "requested_by", "decided_by", "revoked_by")
        .order_by("-requested_at")
    )
    awaiting: list[RegistryGrant] = []
    in_force: list[RegistryGrant] = []
    past: list[RegistryGrant] = []
    for grant in rows:
        if grant.is_awaiting_approval():
            awaiting.append(grant)
        elif grant.is_in_force():
            in_force.append(grant)
        elif len(past) < 50:
            past.append(grant)
    context = {
        "form": form,
        "reject_form": reject_form,
        "rejecting": rejecting,
        "awaiting": awaiting,
        # Requests this user may decide on: neither asked for by them nor naming them.
        "decidable": {g.pk for g in awaiting if user.pk not in (g.requested_by_id, g.user_id)},
        "in_force": in_force,
        "past": past,
        "max_days": settings.REGISTRY_GRANT_MAX_DAYS,
        "list_url": reverse("registry:children"),
    }
    return render(request, "registry/child_grants.html", context, status=status)


@never_cache
@role_required(Role.OFFICE)
def grants(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Grants to child files, the office's only way in: one office user requests access (who, which
    area, why, until when), another approves or rejects it; in force, ended and revoked grants."""
    form = GrantForm(request.POST or None, scope=request.user.scope_area())
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                actions.do_request_grant(
                    request.user,
                    form.cleaned_data["user"],
                    form.cleaned_data["area"],
                    form.cleaned_data["reason"],
                    form.expires_at(),
                    request=request,
                )
            except ValidationError as exc:
                _grant_error(form, exc)
            else:
                messages.success(
                    request, _("Access requested. It opens no file until another office user approves it.")
                )
                return redirect("registry:grants")
    return _grants_page(request, form, status=status)


@never_cache
@role_required(Role.OFFICE)
def grant_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Approving opens personal data, so it takes a confirmation: this page says what the grant
    opens (how many files, for whom, until when); its POST with confirm=1 approves."""
    grant = get_grant_for_user(request, pk)
    if request.method == "POST" and request.POST.get("confirm") == "1":
        try:
            actions.do_approve_grant(request.user, grant, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Access approved."))
        return redirect("registry:grants")
    context = {
        "grant": grant,
        "files": Child.objects.active().filter(residence_area__code__startswith=grant.area.code).count(),
        "awaiting": grant.is_awaiting_approval(),
        "can_decide": request.user.pk not in (grant.requested_by_id, grant.user_id),
    }
    return render(request, "registry/child_grant_approve.html", context)


@never_cache
@role_required(Role.OFFICE)
@require_POST
def grant_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    grant = get_grant_for_user(request, pk)
    reject_form = RejectGrantForm(request.POST)
    if reject_form.is_valid():
        try:
            actions.do_reject_grant(request.user, grant, reject_form.cleaned_data["rejection_reason"], request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Request rejected."))
        return redirect("registry:grants")
    return _grants_page(request, GrantForm(scope=request.user.scope_area()), reject_form, grant.pk, status=400)


@role_required(Role.OFFICE)
@require_POST
def grant_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    grant = get_grant_for_user(request, pk)
    actions.do_revoke_grant(request.user, grant, request=request)
    messages.success(request, _("Access revoked."))
    return redirect("registry:grants")
