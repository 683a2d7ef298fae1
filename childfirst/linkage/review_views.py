"""Clerical review: the street supervisor's queue of pairs the matcher could not decide, each pair side
by side (ID numbers masked, differing characters marked, the match probability and per-field reasons),
the decision, and the share decided "same child" per probability band (an estimate of precision)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role
from childfirst.registry.models import Child

from . import run
from .access import can_decide, can_undo, get_review_for_user, log_records_view, reviews_visible_to
from .current import source_label
from .models import ReviewItem, ReviewState
from .presentation import reasons, record_fields, side_by_side
from .verification import do_decide_review, do_undo_review

BANDS = 4
RECENT_DECISIONS = 10


def precision_bands(items: QuerySet[ReviewItem]) -> list[dict[str, Any]]:
    """The decided pairs in BANDS equal probability bands between the two thresholds: how many were
    decided and the share decided "same child" — the precision a threshold in that band would have."""
    review, match = run.thresholds()
    step = (match - review) / BANDS
    bands: list[dict[str, Any]] = [
        {"low": review + i * step, "high": review + (i + 1) * step, "decided": 0, "same": 0} for i in range(BANDS)
    ]
    for probability, state in items.exclude(state=ReviewState.PENDING).values_list("probability", "state"):
        index = min(BANDS - 1, max(0, int((probability - review) / step))) if step > 0 else 0
        bands[index]["decided"] += 1
        bands[index]["same"] += state == ReviewState.MATCH
    for band in bands:
        band["share"] = band["same"] / band["decided"] if band["decided"] else None
    return bands


@never_cache
@role_required(Role.STREET_SUPERVISOR)
def review_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The street's pending pairs (numbers and places only; the records are on each pair's page)."""
    items = reviews_visible_to(request.user)
    pending = list(items.filter(state=ReviewState.PENDING).select_related("left__community", "child__residence_area"))
    # The user's latest decisions, each with its undo: a decision is one click, so taking it back is one too.
    recent = list(
        items.exclude(state=ReviewState.PENDING)
        .filter(decided_by=request.user)
        .select_related("left__community")
        .order_by("-decided_at", "-pk")[:RECENT_DECISIONS]
    )
    return render(
        request,
        "linkage/review_list.html",
        {
            "pending": pending,
            "recent": recent,
            "decided": items.exclude(state=ReviewState.PENDING).count(),
            "bands": precision_bands(items),
            "district_bands": precision_bands(ReviewItem.objects.all()),
        },
    )


def _child_fields(child: Child) -> dict[str, str]:
    return {
        "name": child.name,
        "id": child.id_masked,
        "sex": child.get_sex_display(),
        "birth": child.birth_date.isoformat(),
        "area": child.residence_area.display_name,
        "address": child.address,
        "school": child.school,
    }


@never_cache
@role_required(Role.STREET_SUPERVISOR)
def review_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = get_review_for_user(request, pk)
    left = record_fields(item.left)
    if item.right is not None:
        right = record_fields(item.right)
        right_label = f"{source_label(item.right.source)} · {item.right.list_import.as_of:%Y-%m-%d}"
        records = [item.left, item.right]
    else:
        assert item.child is not None  # a pair is two records or a record and a file
        right = _child_fields(item.child)
        right_label = _("Registry file %(pk)s") % {"pk": item.child.pk}
        records = [item.left]
    log_records_view(request, f"review pair {item.pk}", records, item.child)
    return render(
        request,
        "linkage/review_detail.html",
        {
            "item": item,
            "rows": side_by_side(left, right),
            "left_label": f"{source_label(item.left.source)} · {item.left.list_import.as_of:%Y-%m-%d}",
            "right_label": right_label,
            "reasons": reasons(item.reasons),
            "can_decide": can_decide(request.user, item),
            "can_undo": can_undo(request.user, item),
        },
    )


@never_cache
@role_required(Role.STREET_SUPERVISOR)
@require_POST
def review_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = get_review_for_user(request, pk)
    if not can_decide(request.user, item):
        raise PermissionDenied
    try:
        do_decide_review(request.user, item, request.POST.get("decision", ""), request=request)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("linkage:review", pk=item.pk)
    messages.success(
        request,
        _("Decision saved; the next linkage run applies it. Your latest decisions can be undone on the review list."),
    )
    following = (
        reviews_visible_to(request.user).filter(state=ReviewState.PENDING).order_by("-probability", "pk").first()
    )
    return redirect("linkage:review", pk=following.pk) if following else redirect("linkage:reviews")


@never_cache
@role_required(Role.STREET_SUPERVISOR)
@require_POST
def review_undo(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = get_review_for_user(request, pk)
    if not can_undo(request.user, item):
        messages.error(request, _("This pair is not decided; there is nothing to undo."))
        return redirect("linkage:review", pk=item.pk)
    do_undo_review(request.user, item, request=request)
    messages.success(request, _("Decision undone: the pair awaits review again."))
    return redirect("linkage:review", pk=item.pk)
