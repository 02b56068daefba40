"""The province reference data matches Decision 19/2025 as summarised in the domain brief."""

import math
import unicodedata

import pytest

from r57_pipelines.domain import provinces as p

# From the brief's table: new code -> old codes merged into it.
BRIEF_MERGES = {
    "08": {"02", "08"}, "15": {"10", "15"}, "19": {"06", "19"}, "24": {"24", "27"}, "25": {"17", "25", "26"},
    "31": {"30", "31"}, "33": {"33", "34"}, "37": {"35", "36", "37"}, "44": {"44", "45"}, "48": {"48", "49"},
    "51": {"51", "62"}, "52": {"52", "64"}, "56": {"56", "58"}, "66": {"54", "66"}, "68": {"60", "67", "68"},
    "75": {"70", "75"}, "79": {"74", "77", "79"}, "80": {"72", "80"}, "82": {"82", "87"},
    "86": {"83", "84", "86"}, "91": {"89", "91"}, "92": {"92", "93", "94"}, "96": {"95", "96"},
}
BRIEF_UNCHANGED = {"01", "04", "11", "12", "14", "20", "22", "38", "40", "42", "46"}


def test_counts():
    assert len(p.current_province_codes()) == 34
    assert len(p.old_province_codes()) == 63


def test_mapping_matches_brief():
    for new, olds in BRIEF_MERGES.items():
        assert set(p.current_provinces()[new].old_codes) == olds
        for old in olds:
            assert p.new_code_for_old(old) == new
    for code in BRIEF_UNCHANGED:
        assert p.new_code_for_old(code) == code
    assert p.current_province_codes() == BRIEF_UNCHANGED | set(BRIEF_MERGES)


def test_every_old_code_maps_to_a_current_one():
    assert {p.new_code_for_old(c) for c in p.old_province_codes()} == p.current_province_codes()


@pytest.mark.parametrize(
    ("code", "old", "name"),
    [("79", False, "Hồ Chí Minh"), ("15", False, "Lào Cai"), ("15", True, "Yên Bái"), ("80", True, "Long An"),
     ("46", True, "Thừa Thiên Huế"), ("46", False, "Huế"), ("38", False, "Thanh Hóa")],
)
def test_names_distinguish_the_overlapping_code_lists(code, old, name):
    assert p.province_name(code, old=old) == name


def test_unknown_codes_raise():
    with pytest.raises(KeyError):
        p.new_code_for_old("03")
    with pytest.raises(KeyError):
        p.province_name("02")  # old Hà Giang, no longer a current unit


def test_names_are_nfc():
    names = [pr.name_vi for pr in p.current_provinces().values()]
    names += [p.province_name(c, old=True) for c in p.old_province_codes()]
    assert all(unicodedata.is_normalized("NFC", n) for n in names)


def test_weights_are_a_plausible_distribution():
    weights = p.province_weights()
    assert set(weights) == p.current_province_codes()
    assert math.isclose(sum(weights.values()), 1.0)
    assert max(weights, key=weights.__getitem__) == "79"
    assert all(0.002 < w < 0.2 for w in weights.values())
