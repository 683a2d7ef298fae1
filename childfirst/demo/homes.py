"""Synthetic children's homes for the demo: a home in most demo communities, about one in six a
demonstration home leading the basic homes of its street, some 五有 items still missing, and
activities with attendance counts, so that coverage and its trend look like a district on its way
to the plan's targets. Everything is drawn from a seeded random.Random: two loads give the same homes.

Homes, types, links and 五有 items go through childfirst.homes.actions (with the system as actor), so they
carry audit rows; the activities, thousands of rows of made-up counts, are inserted in bulk with
one audit row saying so. Loading is idempotent: a community that has a home is left as it is.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from childfirst.accounts.audit import record
from childfirst.areas.models import Area
from childfirst.homes import actions as actions
from childfirst.homes.models import (
    ActivityKind,
    ChildrensHome,
    DemonstrationLevel,
    HomeActivity,
    HomeType,
    StandardItem,
)

SEED = "childfirst-homes-1"
WITHOUT_HOME = 0.08  # share of communities still without a home
# A street gets a demonstration home when its best draw is below this: about 10 of 14 streets, so
# about one home in six is a demonstration home (the plan's 15% and 100% of streets still ahead).
DEMONSTRATION_DRAW = 0.26
SHOWCASE_STREET = "330302001"  # the demo accounts' street always shows a 1+N group
MISSING_ITEM = 0.12  # share of basic homes still missing a 五有 item
EVIDENCE = {
    StandardItem.VENUE: "活动室约80平方米，挂牌（演示）",
    StandardItem.EQUIPMENT: "图书角、桌椅、文体器材登记表（演示）",
    StandardItem.STAFF: "儿童主任1名、志愿者5名（演示）",
    StandardItem.SERVICES: "周末开放，暑期托管（演示）",
    StandardItem.MANAGEMENT: "管理制度上墙，活动台账（演示）",
}
ACTIVITIES = [
    (ActivityKind.TEMPORARY_CARE, "暑期托管"),
    (ActivityKind.EDUCATION, "课业辅导"),
    (ActivityKind.EDUCATION, "安全教育课"),
    (ActivityKind.COUNSELLING, "心理健康小课堂"),
    (ActivityKind.RECREATION, "亲子阅读"),
    (ActivityKind.RECREATION, "传统节日手工"),
    (ActivityKind.PROTECTION, "防溺水宣传"),
    (ActivityKind.PROTECTION, "防欺凌主题活动"),
    (ActivityKind.FAMILY, "家庭教育讲座"),
]
DEMO_NOTE = "演示合成数据"


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max((end - start).days, 0)))


@transaction.atomic
def load_demo_homes(district: Area | None = None) -> dict[str, int]:
    """Homes in the synthetic communities (of `district` when given; idempotent); returns what was created."""
    today = timezone.localdate()
    created = {"homes_created": 0, "demonstration_homes": 0, "activities_created": 0}
    areas = Area.objects.within(district) if district is not None else Area.objects.all()
    communities = list(areas.communities().filter(is_synthetic=True).order_by("code"))
    taken = set(ChildrensHome.objects.values_list("community_id", flat=True))
    new_homes: list[ChildrensHome] = []
    for community in communities:
        # One generator per community: a home already there never shifts the draws of another.
        rng = random.Random(f"{SEED}:{community.code}")  # noqa: S311 (made-up data, not secrets)
        draws = (rng.random(), rng.randint(2018, 2023), rng.random(), rng.random(), rng.randint(2021, 2024))
        if community.pk in taken or (draws[0] < WITHOUT_HOME and community.code != "330302001001"):
            continue
        opened = _day(rng, datetime.date(draws[1], 1, 1), datetime.date(draws[1], 12, 31))
        if community.valid_to is not None:
            opened = min(opened, community.valid_to - datetime.timedelta(days=400))
        short = community.name.split("（")[0]
        address = f"{short}党群服务中心（演示）"
        details = actions.HomeDetails(f"{short}儿童之家", min(opened, today), address=address, note=DEMO_NOTE)
        home = actions.do_create_home(None, community, details)
        missing = [] if draws[2] >= MISSING_ITEM else rng.sample(list(StandardItem), rng.randint(1, 2))
        for item in StandardItem:
            if item not in missing:
                met_on = min(_day(rng, home.opened_on, home.opened_on + datetime.timedelta(days=540)), today)
                actions.do_set_standard_item(None, home, item, met_on, EVIDENCE[item])
        home.missing_items = missing
        home.demonstration_draw = draws[3]
        home.recognition_year = draws[4]
        if community.valid_to is not None:
            actions.do_close_home(None, home, community.valid_to, "社区撤并（演示）")
        new_homes.append(home)
        created["homes_created"] += 1
    created["demonstration_homes"] = _recognise_and_link(new_homes, today)
    created["activities_created"] = _activities(new_homes, today)
    return created


def _recognise_and_link(homes: list[ChildrensHome], today: datetime.date) -> int:
    """One open, complete home in most streets becomes a demonstration home; every other open
    basic home of that street is linked to it."""
    by_street: dict[str, list[ChildrensHome]] = {}
    for home in homes:
        by_street.setdefault(home.community.code[:9], []).append(home)
    recognised = 0
    for street, street_homes in by_street.items():
        candidates = [h for h in street_homes if not h.missing_items and h.closed_on is None]
        if not candidates:
            continue
        if min(h.demonstration_draw for h in candidates) > DEMONSTRATION_DRAW and street != SHOWCASE_STREET:
            continue
        leader = min(candidates, key=lambda h: h.demonstration_draw)
        level = DemonstrationLevel.CITY if leader.demonstration_draw < 0.05 else DemonstrationLevel.DISTRICT
        recognised_on = max(
            leader.opened_on + datetime.timedelta(days=365), datetime.date(leader.recognition_year, 6, 1)
        )
        actions.do_set_home_type(None, leader, HomeType.DEMONSTRATION, level, min(recognised_on, today))
        recognised += 1
        for home in street_homes:
            if home.pk != leader.pk and home.closed_on is None:
                actions.do_link_home(None, home, leader)
    return recognised


def _activities(homes: list[ChildrensHome], today: datetime.date) -> int:
    rows = []
    for home in homes:
        rng = random.Random(f"{SEED}:activities:{home.community.code}")  # noqa: S311
        last = min(home.closed_on - datetime.timedelta(days=1), today) if home.closed_on else today
        year = max(home.opened_on.year, 2021)
        while year <= last.year:
            start = max(home.opened_on, datetime.date(year, 1, 1))
            end = min(last, datetime.date(year, 12, 31))
            share = (end - start).days / 365
            for _n in range(round(rng.randint(6, 14) * share)):
                kind, title = rng.choice(ACTIVITIES)
                rows.append(HomeActivity(home=home, held_on=_day(rng, start, end), title=title, kind=kind,
                                         attendance=rng.randint(6, 40), notes=DEMO_NOTE))  # fmt: skip
            year += 1
    HomeActivity.objects.bulk_create(rows, batch_size=1000)
    if rows:
        record("registry.home.demo_activities", actor=None, activities=len(rows), homes=len(homes))
    return len(rows)
