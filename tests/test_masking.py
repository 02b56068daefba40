"""Masks never reveal a personal number, phone, name or birth date."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from r57_pipelines.masking import mask_text, mask_value


@pytest.mark.parametrize(
    ("kind", "value", "masked"),
    [
        ("personal_id", "001090000001", "0010••••••••"),
        ("phone", "0912345678", "091•••••••"),
        ("person_name", "Nguyễn Văn An", "N•• V•• A••"),
        ("birth_date", "1990-03-15", "1990-••-••"),
        ("address", "12 Lê Lợi, Phường Bến Nghé, TP Hồ Chí Minh", "••• TP Hồ Chí Minh"),
        ("province_code", "79", "79"),
        ("text", "Công ty 0100233488", "Công ty 010•••••••"),
    ],
)
def test_masks(kind, value, masked):
    assert mask_value(kind, value) == masked


@given(st.from_regex(r"[0-9]{12}", fullmatch=True))
def test_a_masked_personal_number_never_contains_its_serial(number):
    masked = mask_value("personal_id", number)
    assert number[4:] not in masked and len(masked) == 12


@given(st.text(alphabet="0123456789 abc", min_size=0, max_size=40))
def test_mask_text_leaves_no_run_of_six_digits(text):
    assert not any(len(run) >= 6 for run in "".join(c if c.isdigit() else " " for c in mask_text(text)).split())
