"""The masked ID number cannot be rebuilt from what a page, export or API answer shows beside it.

An outside test rebuilt every full number of a director's children from the old mask (first 4 and
last 4 characters), the date of birth and the sex shown beside it: the county digits (5–6) are
guessable, digits 7–14 are the date of birth, and the last 4 gave away the sequence and the check
character. Here, for a sample of children, every number consistent with what the director sees is
enumerated (the county assumed guessed, the worst case): many must remain.
"""

from __future__ import annotations

import csv
import datetime
import importlib
import io
import random
import re

import pytest
from django.apps import apps

from childfirst.accounts.tokens import do_create_token
from childfirst.areas.models import Area
from childfirst.registry.children import actions
from childfirst.registry.children.actions import ChildData
from childfirst.registry.children.idnumber import check_character, mask_id
from childfirst.registry.mandatory.actions import do_file_mandatory_report
from childfirst.registry.models import Child, MandatoryReport

WUMA_1 = "330302001001"  # the director's community
# A mask that lets trailing characters through: stars followed by a digit or X.
SHOWS_A_TAIL = re.compile(r"\*{3,}[0-9X]")


def candidates(masked: str, birth: datetime.date, sex: str, county: str) -> list[str]:
    """Every valid number agreeing with the mask's visible characters, the date of birth (digits
    7–14), the sex (parity of digit 17) and a guessed county (digits 5–6)."""
    assert len(masked) == 18 and "*" not in masked[:4]
    known = masked[:4] + county + f"{birth:%Y%m%d}"
    found = []
    for sequence in range(1000):
        digits = f"{sequence:03d}"
        if (sequence % 2 == 1) != (sex == "male"):
            continue
        if any(shown not in ("*", digit) for shown, digit in zip(masked[14:17], digits, strict=True)):
            continue
        first17 = known + digits
        check = check_character(first17)
        if masked[17] in ("*", check):
            found.append(first17 + check)
    return found


def sample_numbers(count: int) -> list[tuple[str, datetime.date, str]]:
    rng = random.Random(11)  # noqa: S311 (made-up numbers, not secrets)
    sample = []
    for _ in range(count):
        birth = datetime.date(2008, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 16))
        sequence = rng.randrange(1000)
        first17 = f"330302{birth:%Y%m%d}{sequence:03d}"
        sample.append((first17 + check_character(first17), birth, "male" if sequence % 2 else "female"))
    return sample


def test_the_old_mask_gave_the_number_away_and_the_new_one_does_not():
    for number, birth, sex in sample_numbers(50):
        old = number[:4] + "*" * 10 + number[-4:]
        assert candidates(old, birth, sex, number[4:6]) == [number]
        found = candidates(mask_id(number), birth, sex, number[4:6])
        assert number in found and len(found) >= 100


@pytest.mark.django_db
def test_what_a_director_sees_leaves_many_candidates(client, users):
    community = Area.objects.get(code=WUMA_1)
    sample = sample_numbers(8)
    children = {}
    for index, (number, birth, sex) in enumerate(sample):
        child = actions.do_create_child(
            users.director,
            ChildData(name=f"测试{index}", sex=sex, birth_date=birth, residence_area=community, id_number=number),
        )
        children[child.pk] = number
    client.force_login(users.director)
    # The export shows the most side by side: the date of birth, the sex and the masked number.
    export = client.post("/registry/children/export/", {"reason": "核对", "status": "active"})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    header = next(i for i, row in enumerate(rows) if row and row[0] in ("File", "档案号", "档案"))
    columns = rows[header]
    birth_at, masked_at, sex_at = 3, 5, 2
    assert len(columns) > masked_at
    seen = 0
    for row in rows[header + 1 :]:
        number = children[int(row[0])]
        birth = datetime.date.fromisoformat(row[birth_at])
        sex = "male" if row[sex_at] in ("male", "男") else "female"
        found = candidates(row[masked_at], birth, sex, number[4:6])
        assert number in found and len(found) >= 100
        seen += 1
    assert seen == len(sample)
    # No page, export or API answer shows a masked number's tail.
    token = do_create_token(None, users.director)[1]
    api = client.get("/api/children/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200
    for item in api.json()["children"]:
        assert item["id_number_masked"] == mask_id(children[item["id"]])
    bodies = [export.content.decode("utf-8-sig"), api.content.decode()]
    bodies += [client.get("/registry/children/").content.decode()]
    bodies += [client.get(f"/registry/children/{pk}/").content.decode() for pk in children]
    bodies += [client.get(f"/registry/children/{pk}/edit/").content.decode() for pk in children]
    for body in bodies:
        assert not SHOWS_A_TAIL.search(body)


@pytest.mark.django_db
def test_stored_masks_are_re_masked_without_the_key(users):
    number, birth, sex = sample_numbers(1)[0]
    child = actions.do_create_child(
        users.director,
        ChildData(
            name="旧档", sex=sex, birth_date=birth, residence_area=Area.objects.get(code=WUMA_1), id_number=number
        ),
    )
    old = number[:4] + "*" * 10 + number[-4:]
    Child.objects.filter(pk=child.pk).update(id_masked=old)
    report = do_file_mandatory_report(
        None,
        reporter_institution="演示小学",
        reporter_kind="school",
        reporter_name="林老师",
        reporter_phone="13800000000",
        child_name="某童",
        child_age=9,
        child_sex="unknown",
        child_id_number=number,
        community=child.residence_area,
        concerns=["neglect"],
        description="无人接送",
        urgency="normal",
    )
    MandatoryReport.objects.filter(pk=report.pk).update(child_id_masked=old)
    migration = importlib.import_module("childfirst.registry.migrations.0007_remask_id_numbers")
    migration.remask(apps, None)
    assert Child.objects.get(pk=child.pk).id_masked == number[:4] + "*" * 14
    assert MandatoryReport.objects.get(pk=report.pk).child_id_masked == number[:4] + "*" * 14
