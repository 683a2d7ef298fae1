"""Synthetic children for the demonstration: made-up names, valid but invented ID numbers
(region 330302, correct check characters), categories in plausible proportions, guardians.

Every file is marked is_synthetic and says so in its note. Loading is idempotent (a second run
adds nothing) and takes a few seconds for 20,000 children: rows are built in memory and
bulk-inserted, with the ID number encrypted row by row.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils import timezone

from childfirst.accounts.audit import record
from childfirst.areas.models import Area
from childfirst.registry.children import crypto
from childfirst.registry.children.categories import load_categories
from childfirst.registry.children.idnumber import check_character, mask_id
from childfirst.registry.children.names import pinyin_keys, sort_key
from childfirst.registry.models import (
    CategoryType,
    Child,
    ChildCategory,
    ChildStatus,
    ExitReason,
    Grade,
    Guardian,
    GuardianRelation,
    Sex,
)
from childfirst.registry.tally import maintain as tally

PLAIN_TYPES = {
    "CharField",
    "TextField",
    "SlugField",
    "BooleanField",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "BigIntegerField",
    "ForeignKey",
    "OneToOneField",
}
DEMO_NOTE = "演示数据：合成的虚构儿童，非真实个人信息。"
REGION = "330302"
# Common surnames of the Wenzhou area first, then national ones (and a few polyphone surnames,
# so the pinyin search shows its surname readings: 曾 zeng, 单 shan, 解 xie, 区 ou).
SURNAMES = (
    "陈林黄王李张周潘郑吴叶徐金胡朱杨蔡谢池项孙戴林郭刘赵何高罗梁宋唐许韩冯邓曹彭萧田董"
    "袁蒋余杜程魏苏吕丁任沈姚卢姜崔钟谭陆汪范石廖夏方白邹孟熊秦邱江薛雷侯龙史陶黎贺顾毛"
    "曾单解区"
)
GIVEN_BOY = "浩宇轩子涵俊杰博文睿泽昊天思远一鸣嘉豪志强明辉晨阳梓豪皓然宇航家乐奕辰煜城铭哲"
GIVEN_GIRL = "欣怡梓涵诗琪雨桐可馨佳怡紫萱思彤若汐一诺语嫣梦瑶雅静欣妍依诺子墨安琪书瑶晓雯"
PLACES = (
    "四川省南充市",
    "贵州省毕节市",
    "江西省上饶市",
    "安徽省阜阳市",
    "河南省信阳市",
    "湖南省邵阳市",
    "云南省昭通市",
)
SCHOOLS = ("鹿城区演示第一小学", "鹿城区演示第二小学", "鹿城区演示实验中学", "鹿城区演示职业学校", "鹿城区演示幼儿园")
# (category code, share of children): 留守 and 流动 most common, 孤儿 rare.
CATEGORY_SHARES = (
    ("left_behind", 0.28),
    ("migrant", 0.24),
    ("distress_poverty", 0.04),
    ("distress_guardianship", 0.015),
    ("distress_disability", 0.012),
    ("distress_illness", 0.010),
    ("disabled", 0.02),
    ("parents_custody_addiction", 0.008),
    ("de_facto_unsupported", 0.008),
    ("out_of_school", 0.005),
    ("domestic_violence", 0.003),
    ("orphan", 0.002),
)


def _insert(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """INSERT `rows` (attribute name → value; missing ones take the field's default) in one
    executemany. Model instances and bulk_create cost ten times more here, and the demo's
    20,000 children must load in seconds; values still go through each field's own conversion."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(cast(str, f.column)) for f in fields)  # a concrete field's column is never None
    placeholders = ", ".join(["%s"] * len(fields))
    # Table and column names come from the model; every value is a query parameter.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    defaults = [f.get_default() for f in fields]
    database = connections[DEFAULT_DB_ALIAS]  # the connection itself: the proxy costs a look-up per value
    # Text, numbers, booleans and keys go to the driver as they are; the rest through the field.
    convert = [
        (lambda value, field=f: field.get_db_prep_save(value, database))
        if f.get_internal_type() not in PLAIN_TYPES
        else None
        for f in fields
    ]
    names = [f.attname for f in fields]
    with database.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            params = []
            for row in rows[start : start + 5000]:
                values = [row.get(name, default) for name, default in zip(names, defaults, strict=True)]
                params.append(tuple(v if c is None else c(v) for v, c in zip(values, convert, strict=True)))
            cursor.executemany(sql, params)


def _name(rng: random.Random, sex: str) -> str:
    pool = GIVEN_BOY if sex == Sex.MALE else GIVEN_GIRL
    given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.8 else "")
    return rng.choice(SURNAMES) + given


def _grade(age: int) -> str:
    if age < 3:
        return ""
    if age < 6:
        return Grade.PRESCHOOL
    ladder = ["p1", "p2", "p3", "p4", "p5", "p6", "j1", "j2", "j3", "s1", "s2", "s3"]
    return ladder[min(age - 6, len(ladder) - 1)]


def _school(grade: str) -> str:
    if not grade:
        return ""
    if grade == Grade.PRESCHOOL:
        return SCHOOLS[4]
    if grade.startswith("p"):
        return SCHOOLS[grade == "p6"]
    return SCHOOLS[2] if grade.startswith("j") else SCHOOLS[3]


@transaction.atomic
def load_demo_children(
    count: int = 20_000, seed: int = 2025, today: datetime.date | None = None, district: Area | None = None
) -> dict[str, int]:
    """About `count` synthetic children spread over the demo communities (of `district` when given: the
    demo's made-up second district has none); nothing when the synthetic children are there already."""
    if Child.objects.filter(is_synthetic=True).exists():
        return {"children_created": 0}
    load_categories()
    today = today or timezone.localdate()
    rng = random.Random(seed)  # noqa: S311 — made-up data, reproducible by design
    areas = Area.objects.within(district) if district is not None else Area.objects.all()
    communities = list(areas.valid_on(today).communities().filter(is_synthetic=True).order_by("code"))
    if not communities:
        return {"children_created": 0}
    types = {t.code: t for t in CategoryType.objects.all()}
    used: set[str] = set()
    now = timezone.now()
    children: list[dict[str, Any]] = []
    plans: list[tuple[list[tuple[str, str, str]], list[str], datetime.date]] = []
    for index in range(count):
        community = communities[index % len(communities)]
        sex = Sex.MALE if rng.random() < 0.52 else Sex.FEMALE
        birth = today - datetime.timedelta(days=rng.randrange(30, 18 * 365 - 30))
        while True:
            sequence = rng.randrange(0, 999)
            if (sequence % 2 == 1) != (sex == Sex.MALE):
                sequence = (sequence + 1) % 1000
            first17 = f"{REGION}{birth:%Y%m%d}{sequence:03d}"
            if first17 not in used:
                used.add(first17)
                break
        number = first17 + check_character(first17)
        nonce, ciphertext = crypto.encrypt(number)
        name = _name(rng, sex)
        full, initials = pinyin_keys(name)
        age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
        grade = _grade(age)
        codes = [code for code, share in CATEGORY_SHARES if rng.random() < share]
        if "left_behind" in codes and "migrant" in codes:
            codes.remove("migrant")  # a child is left behind at home or moves with its parents, not both
        migrant = "migrant" in codes
        exited = rng.random() < 0.03
        child: dict[str, Any] = dict(
            name=name,
            name_pinyin=full,
            name_initials=initials,
            name_sort=sort_key(name),
            sex=sex,
            birth_date=birth,
            id_nonce=nonce,
            id_ciphertext=ciphertext,
            id_hash=crypto.lookup_hash(number),
            id_masked=mask_id(number),
            residence_area_id=community.pk,
            hukou_area_id=None if migrant else community.pk,
            hukou_place=rng.choice(PLACES) if migrant else "",
            address=f"演示路{rng.randrange(1, 300)}号",
            school=_school(grade),
            grade=grade,
            note=DEMO_NOTE,
            is_synthetic=True,
            created_at=now,
            updated_at=now,
        )
        if exited:
            exit_date = today - datetime.timedelta(days=rng.randrange(1, 700))
            child.update(
                status=ChildStatus.EXITED,
                exit_reason=rng.choice([ExitReason.MOVED_AWAY, ExitReason.MOVED_AWAY, ExitReason.NOT_ELIGIBLE]),
                exit_date=exit_date if exit_date > birth else today,
            )
        children.append(child)
        surname = name[0]
        guardians: list[tuple[str, str, str]] = []
        if "orphan" in codes or "de_facto_unsupported" in codes:
            guardians.append(
                (_name(rng, Sex.FEMALE), GuardianRelation.GRANDPARENT, f"1000000{rng.randrange(10000):04d}")
            )
        elif "left_behind" in codes:
            guardians.append(
                (surname + _name(rng, Sex.MALE)[1:], GuardianRelation.GRANDPARENT, f"1000000{rng.randrange(10000):04d}")
            )
            guardians.append(
                (surname + _name(rng, Sex.MALE)[1:], GuardianRelation.FATHER, f"1000000{rng.randrange(10000):04d}")
            )
        else:
            guardians.append((_name(rng, Sex.FEMALE), GuardianRelation.MOTHER, f"1000000{rng.randrange(10000):04d}"))
            if rng.random() < 0.6:
                guardians.append((surname + _name(rng, Sex.MALE)[1:], GuardianRelation.FATHER, ""))
        since = max(birth, today - datetime.timedelta(days=rng.randrange(30, 1500)))
        plans.append((guardians, codes, since))
    _insert(Child, children)
    pks = dict(Child.objects.filter(is_synthetic=True).values_list("id_hash", "pk"))
    guardian_rows = []
    category_rows = []
    shares: Counter[str] = Counter()
    for child, (guardians, codes, since) in zip(children, plans, strict=True):
        pk = pks[child["id_hash"]]
        for position, (name, relation, phone) in enumerate(guardians):
            guardian_rows.append(
                {"child_id": pk, "name": name, "relation": relation, "phone": phone, "is_primary": position == 0}
            )
        exited_on = child.get("exit_date")
        for code in codes:
            category_rows.append(
                {
                    "child_id": pk,
                    "type_id": types[code].pk,
                    "start": since,
                    "end": exited_on if exited_on and exited_on > since else None,
                    "evidence": "演示：合成记录" if code not in ("left_behind", "migrant") else "",
                    "recorded_at": now,
                }
            )
            shares[code] += 1
    _insert(Guardian, guardian_rows)
    _insert(ChildCategory, category_rows)
    tally.opened(pks.values())  # bulk inserts pass the actions by: count them as the actions would
    record("registry.demo_children_loaded", count=len(children), categories=dict(shares))
    return {
        "children_created": len(children),
        "guardians_created": len(guardian_rows),
        "categories_recorded": len(category_rows),
    }
