"""Contact cards (联系卡): a printable card for a child and the family, naming the community's
child director and the street's supervisor with how to reach them, the community's children's
home and the public hotlines. One card per child, or a community's batch (eight per A4 page, with
cut marks); PDF through WeasyPrint with the Noto CJK font embedded.

A card carries the child's name and community only: never the ID number, birth date or address.
Every card printed is written to the child's access log (action "print") with the stated purpose.
A contact's work phone is printed (and e-mail when there is one); without a phone on the account, a
line is left for it to be written in by hand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role, User
from childfirst.areas.models import Area
from childfirst.homes.access import get_community_for_user
from childfirst.homes.models import ChildrensHome
from childfirst.registry.children.access import get_child_for_user, log_access
from childfirst.registry.models import Child

from .forms import CardBatchForm

# The grid on A4 (210 × 297 mm): 2 columns × 4 rows of 95 × 65 mm cards, centred.
CARD_W, CARD_H, COLUMNS, ROWS = 95, 65, 2, 4
LEFT, TOP = (210 - COLUMNS * CARD_W) / 2, (297 - ROWS * CARD_H) / 2
CARDS_PER_PAGE = COLUMNS * ROWS
# A community's batch prints in parts of this many cards (eight A4 pages, a few seconds to render),
# so that no request renders hundreds of cards while the user waits.
CARDS_PER_PART = 8 * CARDS_PER_PAGE
MARK = 6  # length of a cut mark, in the margin, mm
# Shown on every card: (number, what it is for). 12338 is the women's federations' rights line.
HOTLINES = [("110", "报警求助"), ("12338", "妇女儿童维权"), ("12345", "政务服务便民热线")]


@dataclass(frozen=True)
class Contact:
    role: str
    name: str
    phone: str
    email: str


@dataclass
class Card:
    child_name: str
    community: str
    street: str
    contacts: list[Contact] = field(default_factory=list)
    home: str = ""


def _contact(user: User, role: str) -> Contact:
    return Contact(
        role=role,
        name=user.get_full_name().strip() or user.get_username(),
        phone=user.phone,
        email=user.email,
    )


def contacts_by_community(communities: Sequence[Area]) -> dict[int, list[Contact]]:
    """The active directors of each community and supervisors of its street (two queries)."""
    streets = {c.street_code for c in communities}
    people = (
        User.objects.filter(is_active=True)
        .filter(role__in=[Role.COMMUNITY_DIRECTOR, Role.STREET_SUPERVISOR])
        .filter(area__code__in=streets | {c.code for c in communities})
        .select_related("area")
        .order_by("username")
    )
    directors: dict[str, list[User]] = defaultdict(list)
    supervisors: dict[str, list[User]] = defaultdict(list)
    for person in people:
        if person.access_expired():
            continue
        assert person.area is not None  # filtered by area__code__in
        (directors if person.role == Role.COMMUNITY_DIRECTOR else supervisors)[person.area.code].append(person)
    return {
        c.pk: [_contact(u, "儿童主任") for u in directors[c.code]]
        + [_contact(u, "儿童督导员") for u in supervisors[c.street_code]]
        for c in communities
    }


def build_cards(children: Sequence[Child]) -> list[Card]:
    communities = {c.residence_area_id: c.residence_area for c in children}
    contacts = contacts_by_community(list(communities.values()))
    streets = dict(
        Area.objects.filter(code__in={a.street_code for a in communities.values()}).values_list("code", "name")
    )
    homes = {
        h.community_id: h for h in ChildrensHome.objects.filter(community_id__in=communities, closed_on__isnull=True)
    }
    cards = []
    for child in children:
        area = communities[child.residence_area_id]
        home = homes.get(area.pk)
        cards.append(
            Card(
                child_name=child.name,
                community=area.name,
                street=streets.get(area.street_code, ""),
                contacts=contacts[area.pk],
                home=f"{home.name}{'（' + home.address + '）' if home.address else ''}" if home else "",
            )
        )
    return cards


def render_pdf(cards: Sequence[Card]) -> bytes:
    """The cards as a PDF, CARDS_PER_PAGE to an A4 page, with cut marks."""
    import weasyprint  # imported here: it loads Pango, which only printing needs

    pages = []
    for start in range(0, len(cards), CARDS_PER_PAGE):
        page = cards[start : start + CARDS_PER_PAGE]
        pages.append(
            [(card, LEFT + (i % COLUMNS) * CARD_W, TOP + (i // COLUMNS) * CARD_H) for i, card in enumerate(page)]
        )
    marks = {
        "columns": [LEFT + i * CARD_W for i in range(COLUMNS + 1)],
        "rows": [TOP + i * CARD_H for i in range(ROWS + 1)],
        "top": TOP - MARK - 2,
        "bottom": TOP + ROWS * CARD_H + 2,
        "left": LEFT - MARK - 2,
        "right": LEFT + COLUMNS * CARD_W + 2,
    }
    html = render_to_string(
        "registry/cards/cards.html",
        {"pages": pages, "marks": marks, "hotlines": HOTLINES, "printed_on": timezone.localdate()},
    )
    return weasyprint.HTML(string=html).write_pdf()


def print_cards(user: User, children: Sequence[Child], purpose: str) -> bytes:
    """The PDF, with every child's print written to the access log in the same transaction (a
    card that could not be logged is not handed out)."""
    with transaction.atomic():
        pdf = render_pdf(build_cards(children))
        log_access(user, list(children), "print", purpose=purpose)
    return pdf


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


CARD_ROLES = (Role.OFFICE, Role.STREET_SUPERVISOR, Role.COMMUNITY_DIRECTOR)


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


@role_required(Role.STREET_SUPERVISOR, Role.COMMUNITY_DIRECTOR)
def community_cards(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """A community's cards, one per active child on file: for its director or its street's
    supervisor, with a stated purpose (GET shows the form, POST prints)."""
    community = get_community_for_user(request, code)
    user = request.user
    if user.role == Role.COMMUNITY_DIRECTOR:
        own = user.area_id == community.pk
    else:
        own = user.area is not None and user.area.contains(community)
    if not own:
        raise PermissionDenied(_("This community is outside your area."))
    children = list(
        Child.objects.visible_to(user)
        .active()
        .filter(residence_area=community)
        .select_related("residence_area")
        .order_by("name_sort", "pk")
    )
    parts = [
        (number, start + 1, min(start + CARDS_PER_PART, len(children)))
        for number, start in enumerate(range(0, len(children), CARDS_PER_PART), start=1)
    ]
    form = CardBatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # The part is the button pressed (one button per part); without one, the first part.
        raw_part = request.POST.get("part", "1")
        part = int(raw_part) if raw_part.isdigit() else 0
        if not children:
            messages.error(request, _("No child on file lives in this community."))
        elif not 1 <= part <= len(parts):
            form.add_error(None, _("There is no such part of the cards."))
        else:
            chosen = children[(part - 1) * CARDS_PER_PART : part * CARDS_PER_PART]
            pdf = print_cards(user, chosen, form.cleaned_data["purpose"])
            suffix = f"-{part}" if len(parts) > 1 else ""
            return _pdf_response(pdf, f"contact-cards-{community.code}{suffix}.pdf")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "registry/cards/batch_form.html",
        {
            "form": form,
            "community": community,
            "count": len(children),
            "per_page": CARDS_PER_PAGE,
            "parts": parts if len(parts) > 1 else [],
        },
        status=status,
    )
