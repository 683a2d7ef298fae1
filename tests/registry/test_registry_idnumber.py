"""ID numbers (GB 11643-1999): check character, date, sex, region, 15-digit conversion, masking,
and the encryption and keyed hash they are stored under."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from childfirst.registry.children import crypto
from childfirst.registry.children.idnumber import (
    check_character,
    clean_characters,
    looks_like_id,
    mask_id,
    normalise_id,
    parse_id_number,
)

TODAY = datetime.date(2025, 6, 1)
# The worked example of GB 11643-1999 (appendix): 11010519491231002 → check character X.
STANDARD_EXAMPLE = "11010519491231002X"


def make(region: str, birth: datetime.date, sequence: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def messages(raw: str, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        parse_id_number(raw, today=TODAY, **kwargs)
    return caught.value.messages


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English (the msgids); the Chinese ones are checked where named."""
    with translation.override("en"):
        yield


class TestValid:
    def test_the_standards_own_example(self):
        assert check_character("11010519491231002") == "X"
        parsed = parse_id_number(STANDARD_EXAMPLE, today=TODAY)
        assert (parsed.region, parsed.birth_date, parsed.sex) == ("110105", datetime.date(1949, 12, 31), "female")

    def test_hand_computed_check_character(self):
        # 3·7+3·9+0·10+3·5+0·8+2·4 + 2·2+0·1+1·6+5·3 + 0·7+3·9+0·10+2·5 + 0·8+0·4+1·2 = 135; 135 mod 11 = 3 → "9"
        assert check_character("33030220150302001") == "9"
        assert parse_id_number("330302201503020019", birth_date=datetime.date(2015, 3, 2), sex="male", today=TODAY)

    def test_lower_case_x_full_width_and_spaces_are_normalised(self):
        assert normalise_id("11010519491231002x") == STANDARD_EXAMPLE
        assert normalise_id(" １１０１０５ １９４９１２３１ ００２ｘ ") == STANDARD_EXAMPLE
        assert clean_characters("330302-2015-0302-0019") == "330302201503020019"

    def test_fifteen_digits_are_converted(self):
        # 110105491231002: 1949-12-31, sequence 002 → 11010519491231002 + X
        parsed = parse_id_number("110105491231002", today=TODAY)
        assert parsed.number == STANDARD_EXAMPLE
        assert parsed.birth_date == datetime.date(1949, 12, 31)


class TestInvalid:
    def test_wrong_check_character_names_the_right_one(self):
        assert messages("110105194912310021") == [
            "The check character (18th) should be X: a digit is probably mistyped."
        ]
        with translation.override("zh-hans"):
            assert "X" in messages("110105194912310021")[0]

    def test_impossible_date(self):
        number = "33030220150230" + "001"
        found = messages(number + check_character(number))
        assert found == ["Digits 7–14 of the ID number are not a real date of birth."]

    def test_future_date(self):
        number = make("330302", datetime.date(2025, 6, 2), 1)
        assert messages(number) == ["The date of birth in the ID number (digits 7–14) is in the future."]

    def test_sex_mismatch(self):
        boy = make("330302", datetime.date(2015, 3, 2), 1)
        assert messages(boy, sex="female") == ["Digit 17 of the ID number is odd (male) but the sex given is female."]
        girl = make("330302", datetime.date(2015, 3, 2), 2)
        assert messages(girl, sex="male") == ["Digit 17 of the ID number is even (female) but the sex given is male."]

    def test_birth_date_mismatch(self):
        number = make("330302", datetime.date(2015, 3, 2), 1)
        assert messages(number, birth_date=datetime.date(2015, 3, 3)) == [
            "The date of birth given differs from the one in the ID number (digits 7–14)."
        ]

    def test_region_must_be_a_province(self):
        assert messages(make("990302", datetime.date(2015, 3, 2), 1)) == [
            "The first two digits of the ID number are not a province code."
        ]

    def test_length_and_characters(self):
        assert messages("3303022015") == ["An ID number has 18 characters (15 for an old one); this one has 10."]
        assert messages("33030220150302A019") == ["Character 15 of the ID number must be a digit."]
        assert messages("33030220150302001Y") == ["The 18th character of the ID number must be a digit or X."]

    def test_every_problem_is_listed_and_no_message_holds_the_number(self):
        first17 = "99030220150230001"  # bad region, impossible date, odd (male) sequence
        number = first17 + ("0" if check_character(first17) != "0" else "1")  # and a wrong check character
        found = messages(number, sex="female")
        assert len(found) == 4
        assert not any(number[:6] in m or number[6:14] in m for m in found)

    def test_chinese_messages(self):
        with translation.override("zh-hans"):
            assert messages("110105194912310021") == ["第18位校验码应为 X，可能有数字输错。"]


class TestMaskAndSearch:
    def test_mask_keeps_only_the_first_four(self):
        assert mask_id("330302201503020019") == "3303**************"
        assert mask_id(STANDARD_EXAMPLE) == "1101**************"
        assert mask_id("") == ""

    def test_what_looks_like_an_id(self):
        assert looks_like_id("330302201503020019") and looks_like_id("11010519491231002x")
        assert looks_like_id("110105491231002")
        assert not looks_like_id("张三") and not looks_like_id("zhangsan") and not looks_like_id("3303")


class TestCrypto:
    def test_round_trip_with_fresh_nonces(self):
        first = crypto.encrypt(STANDARD_EXAMPLE)
        second = crypto.encrypt(STANDARD_EXAMPLE)
        assert first[0] != second[0] and first[1] != second[1]
        assert crypto.decrypt(*first) == crypto.decrypt(*second) == STANDARD_EXAMPLE
        assert STANDARD_EXAMPLE.encode() not in first[1]

    def test_the_hash_is_keyed(self, settings):
        before = crypto.lookup_hash(STANDARD_EXAMPLE)
        assert before == crypto.lookup_hash(STANDARD_EXAMPLE)
        settings.REGISTRY_KEY = bytes(32)
        assert crypto.lookup_hash(STANDARD_EXAMPLE) != before


births = st.dates(min_value=datetime.date(1900, 1, 1), max_value=TODAY)


@given(region=st.sampled_from(["330302", "110105", "440305", "820000"]), birth=births, sequence=st.integers(0, 999))
def test_round_trip_of_any_valid_number(region, birth, sequence):
    number = make(region, birth, sequence)
    sex = "male" if sequence % 2 else "female"
    parsed = parse_id_number(number.lower(), birth_date=birth, sex=sex, today=TODAY)
    assert (parsed.number, parsed.birth_date, parsed.sex, parsed.region) == (number, birth, sex, region)
    assert mask_id(parsed.number) == number[:4] + "*" * 14


@given(
    birth=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(1999, 12, 31)),
    sequence=st.integers(0, 999),
)
def test_fifteen_digit_numbers_convert_to_the_eighteen_digit_form(birth, sequence):
    old = f"330302{birth:%y%m%d}{sequence:03d}"
    assert normalise_id(old) == make("330302", birth, sequence)


@given(
    number=st.builds(make, st.just("330302"), births, st.integers(0, 999)),
    position=st.integers(0, 16),
    digit=st.integers(1, 9),
)
def test_any_single_digit_typo_is_caught(number, position, digit):
    typo = number[:position] + str((int(number[position]) + digit) % 10) + number[position + 1 :]
    with pytest.raises(ValidationError):
        parse_id_number(typo, today=TODAY)
