"""Contact cards' pages: one child's card (printed at once: a card takes milliseconds) and a
community's batch, printed by the worker while its page shows the progress, then downloaded by
whoever asked for it. What a card holds and how it is typeset: printing.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role
from childfirst.areas.models import Area
from childfirst.homes.access import get_community_for_user
from childfirst.linkage.keys import decrypt_bytes
from childfirst.registry.children.access import get_child_for_user
from childfirst.registry.models import Child

from .actions import do_request_batch
from .forms import CardBatchForm
from .models import BatchState, CardBatch
from .printing import CARDS_PER_PAGE, print_cards


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


CARD_ROLES = (Role.OFFICE, Role.STREET_SUPERVISOR, Role.COMMUNITY_DIRECTOR)
BATCH_ROLES = (Role.STREET_SUPERVISOR, Role.COMMUNITY_DIRECTOR)


@role_required(*CARD_ROLES)
@require_POST
def child_card(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One child's card, through the one access rule for child files. Printing writes the access
    log, so it is a POST (with its CSRF token) from the form on the child's page, never a link."""
    form = CardBatchForm(request.POST)
    if not form.is_valid():
        get_child_for_user(request, pk, action=None)  # a file out of scope answers 404, not a form error
        messages.error(request, _("Give the purpose of printing the card (it is recorded)."))
        return redirect("registry:casework", pk=pk)
    purpose = form.cleaned_data["purpose"]
    child, _can_edit = get_child_for_user(request, pk, purpose=purpose)
    child = Child.objects.select_related("residence_area").get(pk=child.pk)
    pdf = print_cards(request.user, [child], purpose)
    return _pdf_response(pdf, f"contact-card-{child.pk}.pdf")


@role_required(Role.STREET_SUPERVISOR, Role.COMMUNITY_DIRECTOR)
def card_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Batch printing's own menu entry: a director goes straight to the community's cards, a
    supervisor chooses one of the street's communities (with how many active files each has)."""
    user = request.user
    if user.area is None:
        raise PermissionDenied(_("Your account has no area."))
    if user.role == Role.COMMUNITY_DIRECTOR:
        return redirect("registry:community_cards", code=user.area.code)
    communities = list(Area.objects.valid_on().communities().within(user.area).order_by("code"))
    counts = dict(
        Child.objects.visible_to(user)
        .active()
        .filter(residence_area__in=communities)
        .values("residence_area")
        .annotate(n=Count("pk"))
        .values_list("residence_area", "n")
    )
    rows = [(community, counts.get(community.pk, 0)) for community in communities]
    return render(request, "registry/cards/index.html", {"street": user.area, "rows": rows})


def _own_community(request: AuthenticatedHttpRequest, code: str) -> Area:
    """The community, for its director or its street's supervisor; refused to everyone else."""
    community = get_community_for_user(request, code)
    user = request.user
    if user.role == Role.COMMUNITY_DIRECTOR:
        own = user.area_id == community.pk
    else:
        own = user.area is not None and user.area.contains(community)
    if not own:
        raise PermissionDenied(_("This community is outside your area."))
    return community


def get_batch_for_user(request: AuthenticatedHttpRequest, pk: int) -> CardBatch:
    """A batch, for the one who asked for it while the community is still theirs (404 otherwise:
    another's batch is not theirs to know of)."""
    batch = CardBatch.objects.select_related("community").filter(pk=pk, requested_by=request.user).first()
    if batch is None:
        raise Http404
    _own_community(request, batch.community.code)
    return batch


@role_required(*BATCH_ROLES)
def community_cards(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """A community's cards, one per active child on file: for its director or its street's
    supervisor, with a stated purpose (GET shows the form, POST queues the printing and goes to
    the batch's page, which shows its progress)."""
    community = _own_community(request, code)
    count = Child.objects.visible_to(request.user).active().filter(residence_area=community).count()
    form = CardBatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not count:
            messages.error(request, _("No child on file lives in this community."))
        else:
            batch = do_request_batch(request.user, community, form.cleaned_data["purpose"])
            return redirect("registry:card_batch", pk=batch.pk)
    status = 422 if request.method == "POST" else 200
    recent = CardBatch.objects.filter(community=community, requested_by=request.user)[:5]
    return render(
        request,
        "registry/cards/batch_form.html",
        {"form": form, "community": community, "count": count, "per_page": CARDS_PER_PAGE, "recent": recent},
        status=status,
    )


@role_required(*BATCH_ROLES)
def card_batch(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The batch's progress (the whole page, or polled by htmx: its status part only)."""
    batch = get_batch_for_user(request, pk)
    template = "registry/cards/_batch_status.html" if request.headers.get("HX-Request") else "registry/cards/batch.html"
    return render(request, template, {"batch": batch, "community": batch.community})


@role_required(*BATCH_ROLES)
def card_batch_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The finished batch's PDF, for its requester (the prints were logged when it was made)."""
    batch = get_batch_for_user(request, pk)
    if batch.state != BatchState.DONE or batch.pdf_nonce is None or batch.pdf_ciphertext is None:
        raise Http404
    pdf = decrypt_bytes(batch.pdf_nonce, batch.pdf_ciphertext)
    return _pdf_response(pdf, f"contact-cards-{batch.community.code}-{batch.pk}.pdf")
