"""Properties of the identifier validators (r57_pipelines/domain/identifiers.py), checked by hypothesis."""

from __future__ import annotations

import re

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from r57_pipelines.domain import identifiers as ids
from r57_pipelines.domain.provinces import old_province_codes

FAST = settings(max_examples=200, deadline=None)
OLD_CODES = sorted(old_province_codes())

people = st.builds(
    ids.make_personal_id,
    st.sampled_from(OLD_CODES),
    st.sampled_from([ids.MALE, ids.FEMALE]),
    st.integers(1900, 2199),
    st.integers(0, 999_999),
)
tax_codes = st.builds(ids.make_tax_code, st.integers())
anything = st.one_of(st.none(), st.integers(), st.floats(), st.binary(), st.text(), st.lists(st.text(), max_size=2))


@FAST
@given(anything)
def test_validators_answer_true_or_false_for_any_value(value):
    for validator in (ids.is_valid_personal_id, ids.is_valid_tax_code, ids.is_valid_vn_mobile, ids.is_valid_plate):
        assert validator(value) in (True, False)


@FAST
@given(people, st.integers(0, 11), st.characters(exclude_categories=("Nd",)))
def test_a_personal_number_with_any_character_not_a_digit_is_invalid(value, position, char):
    assert ids.is_valid_personal_id(value)
    assert not ids.is_valid_personal_id(value[:position] + char + value[position + 1 :])


@FAST
@given(people, st.sampled_from("6789"))
def test_a_personal_number_whose_century_sex_digit_is_out_of_range_is_invalid(value, digit):
    assert not ids.is_valid_personal_id(value[:3] + digit + value[4:])


@FAST
@given(people, st.integers(0, 11))
def test_a_personal_number_losing_or_gaining_a_digit_is_invalid(value, position):
    assert not ids.is_valid_personal_id(value[:position] + value[position + 1 :])
    assert not ids.is_valid_personal_id(value[:position] + "0" + value[position:])


@FAST
@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_the_personal_number_regex_and_validator_agree_on_any_twelve_digits(value):
    assert (re.fullmatch(ids.PERSONAL_ID_REGEX, value) is not None) == ids.is_valid_personal_id(value)


@FAST
@given(tax_codes, st.one_of(st.none(), st.integers(1, 999)))
def test_made_tax_codes_validate_with_and_without_a_unit_suffix(code, branch):
    assert ids.is_valid_tax_code(code)
    if branch is not None:
        assert ids.is_valid_tax_code(f"{code}-{branch:03d}")


@FAST
@given(tax_codes, st.integers(0, 9), st.integers(1, 9))
def test_any_single_digit_error_in_a_tax_code_is_caught(code, position, delta):
    """Every weight (31 29 23 19 17 13 7 5 3, and 1 for the check digit) is non-zero mod 11 and so is any
    change of one digit (1-9): the weighted sum moves, so the check digit no longer fits."""
    wrong = str((int(code[position]) + delta) % 10)
    assert not ids.is_valid_tax_code(code[:position] + wrong + code[position + 1 :])


@FAST
@given(tax_codes, st.integers(0, 7))
def test_any_swap_of_two_adjacent_digits_before_the_check_digit_is_caught(code, position):
    """Adjacent weights differ by 2, 4 or 6, none a multiple of 11."""
    a, b = code[position], code[position + 1]
    assume(a != b)
    assert not ids.is_valid_tax_code(code[:position] + b + a + code[position + 2 :])


@FAST
@given(tax_codes, st.sampled_from([" ", ".", "-"]), st.integers(1, 9))
def test_a_tax_code_needs_its_canonical_form_when_strict(code, char, position):
    changed = code[:position] + char + code[position:]
    assert not ids.is_valid_tax_code(changed)


@FAST
@given(st.from_regex(ids.vn_mobile_regex(), fullmatch=True))
def test_numbers_matching_the_mobile_regex_are_valid_mobiles(value):
    assert ids.is_valid_vn_mobile(value)
    assert not ids.is_valid_vn_mobile("+84" + value[1:]) and not ids.is_valid_vn_mobile(value[:4] + " " + value[4:])


@FAST
@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_the_mobile_regex_and_validator_agree_on_any_ten_digits(value):
    assert (re.fullmatch(ids.vn_mobile_regex(), value) is not None) == ids.is_valid_vn_mobile(value)


@FAST
@given(st.from_regex(ids.PLATE_REGEX, fullmatch=True), st.data())
def test_plates_matching_the_regex_are_valid_and_one_character_less_is_not(value, data):
    assert ids.is_valid_plate(value)
    assert not ids.is_valid_plate(value.lower())
    position = data.draw(st.integers(0, len(value) - 1))
    shorter = value[:position] + value[position + 1 :]
    # Dropping a motorbike plate's series digit (29B1-234.56 -> 29B-234.56) leaves a car plate.
    assert ids.is_valid_plate(shorter) == (position == 3 and value[3].isdigit())
