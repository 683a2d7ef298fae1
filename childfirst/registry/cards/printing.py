"""Contact cards (联系卡): a printable card for a child and the family, naming the community's
child director and the street's supervisor with how to reach them, the community's children's
home and the public hotlines. Eight cards to an A4 page with cut marks; PDF through Typst
(childfirst/typesetting.py, typst/cards.typ) with the Noto CJK font embedded.

A card carries the child's name and community only: never the ID number, birth date or address.
Every card printed is written to the child's access log (action "print") with the stated purpose.
A contact's work phone is printed (and e-mail when there is one); without a phone on the account, a
line is left for it to be written in by hand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from childfirst import typesetting
from childfirst.accounts.models import Role, User
from childfirst.areas.models import Area
from childfirst.homes.models import ChildrensHome
from childfirst.registry.children.access import log_access
from childfirst.registry.models import Child

# The grid on A4 (210 × 297 mm): 2 columns × 4 rows of 95 × 65 mm cards, centred.
CARD_W, CARD_H, COLUMNS, ROWS = 95, 65, 2, 4
LEFT, TOP = (210 - COLUMNS * CARD_W) / 2, (297 - ROWS * CARD_H) / 2
CARDS_PER_PAGE = COLUMNS * ROWS
MARK = 6  # length of a cut mark, in the margin, mm
CARDS_TEMPLATE = Path(__file__).resolve().parent / "typst" / "cards.typ"
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
    """The cards as a PDF, CARDS_PER_PAGE to an A4 page, with cut marks (Typst, typst/cards.typ;
    the data goes in as JSON and is printed as text, whatever it contains)."""
    data = {
        "cards": [asdict(card) for card in cards],
        "hotlines": HOTLINES,
        "printed_on": timezone.localdate().isoformat(),
        "card_w": CARD_W,
        "card_h": CARD_H,
        "columns": COLUMNS,
        "rows": ROWS,
        "left": LEFT,
        "top": TOP,
        "mark": MARK,
    }
    return typesetting.template(str(CARDS_TEMPLATE)).render(data)


def print_cards(user: User, children: Sequence[Child], purpose: str) -> bytes:
    """The PDF, with every child's print written to the access log in the same transaction (a
    card that could not be logged is not handed out)."""
    with transaction.atomic():
        pdf = render_pdf(build_cards(children))
        log_access(user, list(children), "print", purpose=purpose)
    return pdf
