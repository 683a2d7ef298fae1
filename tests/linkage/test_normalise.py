"""Normalisation of list values, field by field (issue 12, deliverable 2)."""

from __future__ import annotations

import datetime
import random

import pyarrow as pa
import pytest
from django.core.exceptions import ValidationError

from childfirst.linkage import columns
from childfirst.linkage.headers import HeaderError, recognise_headers
from childfirst.linkage.normalise import normalise_id, normalise_name, normalise_row, normalise_sex, parse_date
from childfirst.registry.children.idnumber import check_character, parse_id_number

VALID = "11010520150304048X"  # synthetic: region 110105, born 2015-03-04, female (8), check X


@pytest.mark.parametrize(
    ("raw", "name", "pinyin"),
    [
        ("张伟", "张伟", "zhang wei"),
        ("张 伟", "张伟", "zhang wei"),
        ("张\u00a0伟", "张伟", "zhang wei"),
        ("张\u3000伟", "张伟", "zhang wei"),
        ("張偉", "张伟", "zhang wei"),
        (" 张伟 ", "张伟", "zhang wei"),
    ],
)
def test_name_spaces_and_traditional(raw, name, pinyin):
    key = normalise_name(raw)
    assert (key.name, key.pinyin) == (name, pinyin)


def test_homophones_read_alike():
    assert normalise_name("张伟").pinyin == normalise_name("张玮").pinyin
    assert normalise_name("李婷").pinyin == normalise_name("李亭").pinyin
    assert normalise_name("张伟").name != normalise_name("张玮").name


def test_surname_and_given():
    key = normalise_name("欧阳娜娜")
    assert (key.surname, key.given, key.surname_pinyin, key.given_pinyin) == ("欧阳", "娜娜", "ou yang", "na na")
    assert normalise_name("曾婷").surname_pinyin == "zeng"  # read as a surname
    assert (normalise_name("王欧阳").surname, normalise_name("欧阳").surname) == ("王", "欧")
    assert normalise_name("ＬＩ").name == "LI"  # full-width letters


@pytest.mark.parametrize(
    "raw",
    [
        "2015-03-04",
        "2015/3/4",
        "2015.3.4",
        "20150304",
        20150304,
        "2015年3月4日",
        "2015年03月04日",
        "２０１５－０３－０４",
        "2015-03-04 00:00:00",
        42067,
        42067.0,
        "42067",
        datetime.date(2015, 3, 4),
        datetime.datetime(2015, 3, 4, 8, 30),
    ],
)
def test_date_forms(raw):
    assert parse_date(raw) == datetime.date(2015, 3, 4)


def test_year_and_month_only():
    assert parse_date("2015年03月") == datetime.date(2015, 3, 1)


@pytest.mark.parametrize("raw", ["", None, "yesterday", "2015-13-01", "2015-02-30", "12/03", 0, 10**7])
def test_bad_dates_say_why_without_the_value(raw):
    with pytest.raises(ValueError) as error:
        parse_date(raw)
    assert str(raw) not in str(error.value) or str(raw) in ("", "None", "0")


def test_id_repairs():
    assert normalise_id(VALID) == normalise_id(VALID).__class__(VALID, VALID, True, ())
    assert normalise_id(VALID.lower()).repairs == ("lower_x",)
    assert normalise_id(VALID.lower()).number == VALID
    full = VALID.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert normalise_id(full).number == VALID and normalise_id(full).repairs == ("full_width",)
    assert normalise_id(f"{VALID[:6]} {VALID[6:14]} {VALID[14:]}").repairs == ("spaces",)
    old = "110105491231002"  # 15 digits, 1949
    key = normalise_id(old)
    assert key.valid and key.number == "11010519491231002X" and key.repairs == ("converted_15",)


def test_damaged_id_keeps_its_digits():
    wrong_check = VALID[:17] + "1"
    key = normalise_id(wrong_check)
    assert (key.number, key.digits, key.valid) == (None, wrong_check, False)
    assert normalise_id("").digits == "" and not normalise_id(None).valid


def test_sex():
    assert [normalise_sex(v) for v in ("男", "女", "1", "2", "M", "f", "male", "Female", 1.0, "", "?")] == [
        "M", "F", "M", "F", "M", "F", "M", "F", "M", "", "",
    ]  # fmt: skip
    assert normalise_sex("", normalise_id(VALID)) == "F"  # digit 17 is 8: even


def test_row_records_repairs_and_problems():
    row = normalise_row(
        {
            "record_id": "Ｓ1",
            "id_number": VALID.lower(),
            "name": "張 偉",
            "sex": "",
            "birth_date": "not a date",
            "street": "鹿城街道办事处",
            "community": "",
            "guardian_id_number": "123",
        }
    )
    assert row.record_id == "S1"
    assert row.id_number.number == VALID and row.name and row.name.name == "张伟"
    assert row.sex == "F"
    assert row.birth_date is None
    assert row.street == "鹿城"
    assert set(row.repaired) == {"id_number", "name"}
    assert [field for field, _reason in row.problems] == ["guardian_id_number", "birth_date"]
    assert all("张" not in reason and VALID not in reason for _f, reason in row.problems)


def test_row_birth_date_from_id():
    assert normalise_row({"id_number": VALID}).birth_date == datetime.date(2015, 3, 4)


def test_headers():
    found = recognise_headers(
        ["序号", "学生姓名（必填）", " 公民身份号码 ", "出生年月", "性 别", "乡镇", "村", "监护人姓名"]
    )
    assert found.columns == {
        "record_id": 0, "name": 1, "id_number": 2, "birth_date": 3, "sex": 4, "street": 5, "community": 6,
        "guardian_name": 7,
    }  # fmt: skip
    assert recognise_headers(["ＩＤ", "身份证件号码*"]).columns == {"record_id": 0, "id_number": 1}
    assert recognise_headers(["编号", "孩子"], {"孩子": "name"}).columns["name"] == 1


def test_unrecognised_headers_name_the_columns():
    with pytest.raises(HeaderError) as error:
        recognise_headers(["甲", "乙"])
    assert "甲、乙" in str(error.value) and "身份证号" in str(error.value) and "姓名" in str(error.value)


def _random_ids(count: int) -> list[str]:
    rng = random.Random(5)  # noqa: S311 - synthetic numbers, not secrets
    out = []
    for _ in range(count):
        region = rng.choice(["110105", "330302", "990101", "000000"])
        first17 = f"{region}{rng.randrange(18900101, 20301231)}{rng.randrange(1000):03d}"
        check = check_character(first17) if rng.random() < 0.7 else rng.choice("0123456789X")
        out.append(first17 + check)
    return out


def test_columnar_ids_agree_with_the_registry():
    """The numpy check uses idnumber's constants; it must say what parse_id_number says."""
    today = datetime.date(2026, 1, 1)
    ids = [*_random_ids(3000), VALID.lower(), "110105491231002", "", None, "12345"]
    number, _digits, _repaired = columns.normalise_ids(pa.array(ids, pa.string()), today)
    for raw, got in zip(ids, number.to_pylist(), strict=True):
        try:
            expected = parse_id_number(raw or "", today=today).number
        except ValidationError:
            expected = None
        assert got == expected, raw


def test_prepare_matches_scalar_functions():
    raw = pa.table(
        {
            "record_id": ["1", "2", "3"],
            "id_number": [VALID.lower(), None, VALID[:17] + "1"],
            "name": ["張 偉", "欧阳娜娜", None],
            "sex": ["", "女", "2"],
            "birth_date": [None, "2014年5月6日", "41000"],
            "street": ["鹿城街道", None, "x"],
        }
    )
    out = columns.prepare(raw, datetime.date(2026, 1, 1)).to_pylist()
    assert [r["name"] for r in out] == ["张伟", "欧阳娜娜", None]
    assert [r["pinyin"] for r in out] == ["zhang wei", "ou yang na na", None]
    assert [r["sex"] for r in out] == ["F", "F", "F"]
    assert [r["birth_date"] for r in out] == [datetime.date(2015, 3, 4), datetime.date(2014, 5, 6), parse_date(41000)]
    assert [r["id_number"] for r in out] == [VALID, None, None]
    assert [r["id_digits"] for r in out] == [VALID, None, VALID[:17] + "1"]
    assert [r["street"] for r in out] == ["鹿城", None, "x"]
