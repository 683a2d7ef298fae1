"""The coverage figures of children's homes, the arithmetic behind plan key project 2
(示范型"儿童之家"建设项目). Which plan indicator each figure fills is data: the registry's
data/aggregates.yaml maps indicator codes to the aggregates named below.

Coverage for a year is read on its last day, over the communities valid then (a community merged
away during the year no longer counts, neither above nor below the line):

- basic coverage (homes_basic_coverage): communities whose home (of either type) meets all five
  五有 items, over communities. A demonstration home is a home too: "基础型覆盖率" asks whether a
  community has a home up to the basic standard, which a demonstration home must also be.
- demonstration coverage (homes_demonstration_coverage): communities with a recognised
  demonstration home, over communities.
- demonstration homes (homes_demonstration_count): every recognised level (区级/市级/省级) counts.
- streets with a demonstration home (streets_with_demonstration_home), over streets; per street it
  is 1/1 or 0/1, so the district's figure is the sum of the streets' numerators and denominators
  like every other rate.
Only homes that are open on that day count.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q

from childfirst.areas.models import Area, Level

from .models import ChildrensHome, StandardItem


def year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


@dataclass
class StreetCoverage:
    street: Area
    communities: int = 0
    with_home: int = 0  # open homes of either type
    meeting_standard: int = 0  # basic coverage's numerator
    demonstration: int = 0  # demonstration coverage's numerator; also the street's share of the count

    @property
    def has_demonstration(self) -> bool:
        return self.demonstration > 0

    @property
    def basic_rate(self) -> Decimal | None:
        return rate(self.meeting_standard, self.communities)

    @property
    def demonstration_rate(self) -> Decimal | None:
        return rate(self.demonstration, self.communities)


@dataclass
class Coverage:
    """Homes' coverage on one day (normally a year's last), per street and for the whole area."""

    area: Area
    day: datetime.date
    streets: list[StreetCoverage] = field(default_factory=list)

    @property
    def communities(self) -> int:
        return sum(s.communities for s in self.streets)

    @property
    def with_home(self) -> int:
        return sum(s.with_home for s in self.streets)

    @property
    def meeting_standard(self) -> int:
        return sum(s.meeting_standard for s in self.streets)

    @property
    def demonstration(self) -> int:
        return sum(s.demonstration for s in self.streets)

    @property
    def streets_with_demonstration(self) -> int:
        return sum(1 for s in self.streets if s.has_demonstration)

    @property
    def basic_rate(self) -> Decimal | None:
        return rate(self.meeting_standard, self.communities)

    @property
    def demonstration_rate(self) -> Decimal | None:
        return rate(self.demonstration, self.communities)

    @property
    def street_rate(self) -> Decimal | None:
        return rate(self.streets_with_demonstration, len(self.streets))


def rate(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"))


def coverage(area: Area, day: datetime.date) -> Coverage:
    """Coverage of every street inside `area` (a district, or one street) on `day`, in three queries."""
    areas = list(Area.objects.within(area).valid_on(day).filter(level__in=[Level.STREET, Level.COMMUNITY]))
    if area.level == Level.COMMUNITY:
        raise ValueError("coverage is computed for a district or a street")
    streets = {a.code: StreetCoverage(a) for a in areas if a.level == Level.STREET}
    if area.level == Level.STREET:
        streets = {area.code: StreetCoverage(area)}
    communities = {a.pk: a for a in areas if a.level == Level.COMMUNITY and a.street_code in streets}
    for community in communities.values():
        streets[community.street_code].communities += 1
    homes = ChildrensHome.objects.open_on(day).filter(community_id__in=communities)
    standard = set(homes.meeting_standard_on(day).values_list("pk", flat=True))
    demonstration = set(homes.demonstration_on(day).values_list("pk", flat=True))
    for pk, community_id in homes.values_list("pk", "community_id"):
        street = streets[communities[community_id].street_code]
        street.with_home += 1
        street.meeting_standard += pk in standard
        street.demonstration += pk in demonstration
    return Coverage(area=area, day=day, streets=sorted(streets.values(), key=lambda s: s.street.code))


@dataclass(frozen=True)
class CommunityRow:
    """One line of a street's list: a community and its home, if any."""

    community: Area
    home: ChildrensHome | None
    items_met: int
    activities: int  # in the year shown

    @property
    def meets_standard(self) -> bool:
        return self.items_met == len(StandardItem.values)


def street_rows(street: Area, day: datetime.date, only: Area | None = None) -> list[CommunityRow]:
    """The street's communities valid on `day` (or just `only`) with their homes, in two queries."""
    communities = Area.objects.within(only or street).communities().valid_on(day)
    year_start = datetime.date(day.year, 1, 1)
    homes = {
        h.community_id: h
        for h in ChildrensHome.objects.filter(community__in=communities)
        .select_related("led_by__community")
        .annotate(
            items_met=Count("standard_items", filter=Q(standard_items__met_on__lte=day), distinct=True),
            activities_in_year=Count(
                "activities",
                filter=Q(activities__held_on__gte=year_start, activities__held_on__lte=day),
                distinct=True,
            ),
        )
    }
    rows = []
    for community in communities:
        home = homes.get(community.pk)
        rows.append(
            CommunityRow(
                community=community,
                home=home,
                items_met=home.items_met if home else 0,
                activities=home.activities_in_year if home else 0,
            )
        )
    return rows
