"""Properties of the text normaliser and the legacy-encoding detector (r57_pipelines/domain/text.py)."""

from __future__ import annotations

import re
import string
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from r57_pipelines.domain.text import (
    PLACEHOLDER_VALUES,
    is_placeholder,
    looks_like_mojibake,
    normalise_text,
    to_tcvn3_mojibake,
    to_vni_mojibake,
)

FAST = settings(max_examples=200, deadline=None)
VIETNAMESE = "aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵđ"
vietnamese_text = st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " \t\n\u00a0" + string.ascii_letters)
WHITESPACE = [" ", "\t", "\n", "\u00a0", "\u2003", "\r\n"]


@FAST
@given(st.text())
def test_normalised_text_is_nfc_trimmed_single_spaced_and_a_fixed_point(value):
    clean = normalise_text(value)
    assert unicodedata.is_normalized("NFC", clean)
    assert clean == clean.strip() and "  " not in clean
    assert re.search(r"\s", clean.replace(" ", "")) is None
    assert normalise_text(clean) == clean


@FAST
@given(st.text())
def test_normalising_only_touches_whitespace_and_the_normal_form(value):
    without_space = re.sub(r"\s", "", unicodedata.normalize("NFC", value))
    assert normalise_text(value).replace(" ", "") == without_space


@FAST
@given(vietnamese_text)
def test_nfc_and_nfd_spellings_normalise_alike(value):
    assert normalise_text(unicodedata.normalize("NFD", value)) == normalise_text(value)


@FAST
@given(st.sampled_from(sorted(PLACEHOLDER_VALUES)), st.sampled_from(WHITESPACE), st.sampled_from(WHITESPACE),
       st.booleans(), st.sampled_from(["NFC", "NFD"]))
def test_a_placeholder_is_one_in_any_case_spacing_or_normal_form(value, before, after, upper, form):
    spelled = unicodedata.normalize(form, value.upper() if upper else value)
    assert is_placeholder(before + spelled + after)


@FAST
@given(st.text(alphabet=string.printable))
def test_ascii_text_is_never_taken_for_mojibake_and_passes_the_converters_unchanged(value):
    assert not looks_like_mojibake(value)
    assert to_tcvn3_mojibake(value) == value and to_vni_mojibake(value) == value


@FAST
@given(vietnamese_text)
def test_detection_does_not_depend_on_the_normal_form(value):
    assert looks_like_mojibake(unicodedata.normalize("NFD", value)) == looks_like_mojibake(value)


# ý is the one letter whose TCVN3 byte (0xFD) is the same letter in cp1252: it survives the round trip.
TCVN3_FIXED_POINTS = "ý"


@FAST
@given(st.text(alphabet=VIETNAMESE, min_size=1).filter(lambda v: not v.isascii()))
def test_tcvn3_mojibake_of_lower_case_vietnamese_is_cp1252_bytes_and_changes_the_text(value):
    mojibake = to_tcvn3_mojibake(value)
    changes = any(not c.isascii() and c not in TCVN3_FIXED_POINTS for c in value)
    assert (mojibake != value) == changes
    mojibake.encode("cp1252")  # every TCVN3 byte is a cp1252 character: that is how it shows up


def test_y_acute_is_the_only_lower_case_letter_tcvn3_leaves_as_it_is():
    assert [c for c in VIETNAMESE if not c.isascii() and to_tcvn3_mojibake(c) == c] == list(TCVN3_FIXED_POINTS)
