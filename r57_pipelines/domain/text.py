"""What "clean" Vietnamese text means, and how legacy-encoded text looks when it is not.

Clean text is NFC, trimmed, with single spaces (normalise_text). Two legacy 8-bit encodings still
surface in ministry files: TCVN3 (ABC, .VnTime fonts) and VNI-Windows. Read as cp1252 they give
"NguyÔn V¨n §øc" and "Nguyeãn Vaên Ñöùc". The converters here produce that mojibake from proper text
(to build test data and to check the detector); MOJIBAKE_REGEX finds it in SQL.
"""

from __future__ import annotations

import re
import unicodedata

# ---------------------------------------------------------------------------------------------------
# Normal form
# ---------------------------------------------------------------------------------------------------

_WHITESPACE = re.compile(r"\s+")


def normalise_text(value: str) -> str:
    """NFC, trimmed, internal whitespace (incl. tabs, newlines, NBSP) collapsed to one space.

    NFC first: "Nguyễn" is 6 code points in NFC and 8 in NFD, and mixed forms break joins.
    """
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", value)).strip()


# ---------------------------------------------------------------------------------------------------
# Placeholders
# ---------------------------------------------------------------------------------------------------

PLACEHOLDER_VALUES: frozenset[str] = frozenset(
    {
        # English / technical
        "n/a", "na", "n.a", "n.a.", "null", "none", "nil", "nan", "unknown", "undefined", "test", "tbd",
        # Vietnamese, with and without diacritics: "none", "not yet", "unknown", "being updated"
        "không", "khong", "không có", "khong co", "chưa có", "chua co", "không rõ", "khong ro",
        "không xác định", "khong xac dinh", "chưa xác định", "chua xac dinh",
        "chưa cập nhật", "chua cap nhat", "đang cập nhật", "dang cap nhat",
        # filler characters and dummy numbers (10-digit phone/tax, 12-digit personal number)
        "-", "--", "---", ".", "..", "...", "?", "x", "xx", "xxx",
        "0000000000", "000000000000", "1111111111", "9999999999", "1234567890",
    }
)
"""Values that stand in for "missing". Stored lower-case NFC: compare lower(normalised value), e.g. SQL
``lower(trim(x)) IN (...)`` or is_placeholder(). Compare whole values only: "Na" is also a given name.
Empty strings are not listed: they are plain missing values."""


def is_placeholder(value: str) -> bool:
    """Whether a value (any case, spacing or normal form) is a stand-in for "missing"."""
    return normalise_text(value).lower() in PLACEHOLDER_VALUES


# ---------------------------------------------------------------------------------------------------
# Legacy encodings
# ---------------------------------------------------------------------------------------------------

# Vietnamese vowels by tone, in the order: none, huyền (grave), hỏi (hook), ngã (tilde), sắc (acute),
# nặng (dot below).
_VOWEL_ROWS = {
    "a": "aàảãáạ", "ă": "ăằẳẵắặ", "â": "âầẩẫấậ", "e": "eèẻẽéẹ", "ê": "êềểễếệ", "i": "iìỉĩíị",
    "o": "oòỏõóọ", "ô": "ôồổỗốộ", "ơ": "ơờởỡớợ", "u": "uùủũúụ", "ư": "ưừửữứự", "y": "yỳỷỹýỵ",
}

# TCVN3 (TCVN 5712:1993, VN3 table used by the ABC .VnTime fonts): byte per lower-case vowel, same tone
# order as _VOWEL_ROWS.
_TCVN3_ROWS = {
    "a": (0x61, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "ă": (0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    "e": (0x65, 0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    "i": (0x69, 0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (0x6F, 0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "ô": (0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    "u": (0x75, 0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    "y": (0x79, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}
# The only capitals with their own code in VN3; other toned capitals live in the separate ".VnTimeH"
# capital fonts at the lower-case positions, so a file stores the lower-case byte.
_TCVN3_CAPITALS = {"Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "Đ": 0xA7, "đ": 0xAE}


def _cp1252(byte: int) -> str:
    return bytes([byte]).decode("cp1252")


def _build_tcvn3() -> dict[str, str]:
    table: dict[str, str] = {}
    for base, letters in _VOWEL_ROWS.items():
        for letter, byte in zip(letters, _TCVN3_ROWS[base]):
            table[letter] = _cp1252(byte)
            if letter.upper() != letter and letter.upper() not in _TCVN3_CAPITALS:
                table.setdefault(letter.upper(), _cp1252(byte) if byte >= 0x80 else letter.upper())
    table.update({letter: _cp1252(byte) for letter, byte in _TCVN3_CAPITALS.items()})
    return table


_TCVN3 = _build_tcvn3()


def to_tcvn3_mojibake(text: str) -> str:
    """Proper Vietnamese -> how its TCVN3 (ABC) bytes read as cp1252: "Nguyễn Văn Đức" -> "NguyÔn V¨n §øc".

    Characters TCVN3 does not cover (digits, punctuation, foreign letters) pass through unchanged.
    """
    return "".join(_TCVN3.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


# VNI-Windows writes a base letter followed by a mark byte. Mark bytes (lower-case form; capitals use
# the cp1252 capital at the same offset), per tone in _VOWEL_ROWS order.
_TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
_VNI_TONE = ("", "ø", "û", "õ", "ù", "ï")
_VNI_CIRCUMFLEX = ("â", "à", "å", "ã", "á", "ä")  # â ê ô with each tone
_VNI_BREVE = ("ê", "è", "ú", "ü", "é", "ë")  # ă with each tone
_VNI_I = ("i", "ì", "æ", "ó", "í", "ò")  # i has single-byte forms
_VNI_HORN = {"o": "ô", "u": "ö"}  # ơ ư are single bytes, then a tone byte
_VNI_Y_DOT = "î"  # ỵ is a single byte


def _vni_lower(ch: str) -> str | None:
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    if base not in "aeiouy":
        return None
    tone = next((i for i, t in enumerate(_TONES) if t and t in marks), 0)
    if base == "i":
        return _VNI_I[tone]
    if base == "y" and tone == 5:
        return _VNI_Y_DOT
    if "\u0302" in marks:
        return base + _VNI_CIRCUMFLEX[tone]
    if "\u0306" in marks:
        return base + _VNI_BREVE[tone]
    if "\u031b" in marks:
        return _VNI_HORN[base] + _VNI_TONE[tone]
    return base + _VNI_TONE[tone]


def _build_vni() -> dict[str, str]:
    table = {"đ": "ñ", "Đ": "Ñ"}
    for letters in _VOWEL_ROWS.values():
        for letter in letters:
            lower = _vni_lower(letter)
            if lower is not None and lower != letter:
                table[letter] = lower
                table[letter.upper()] = lower.upper()
    return table


_VNI = _build_vni()


def to_vni_mojibake(text: str) -> str:
    """Proper Vietnamese -> how its VNI-Windows bytes read as cp1252: "Nguyễn Văn Đức" -> "Nguyeãn Vaên Ñöùc"."""
    return "".join(_VNI.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


# ---------------------------------------------------------------------------------------------------
# Detection
# ---------------------------------------------------------------------------------------------------

# Built only from characters correct Vietnamese never uses, or sequences it never forms:
_TCVN3_SYMBOLS = "¡¢£¤¥¦§¨©ª«¬\u00ad®µ¶·¸¹»¼½¾"  # TCVN3 ă â ê ô ơ ư đ (and capitals), a/ă tones
_NON_VIETNAMESE_LATIN1 = "ÄÅÆÇËÎÏÐÑÖ×ØÛÜÞßäåæçëîïðñö÷øûüþÿ"  # e.g. VNI ñ=đ ö=ư ø/û/ï tones, TCVN3 Þ=ị
_PATTERNS = (
    f"[{_TCVN3_SYMBOLS}{_NON_VIETNAMESE_LATIN1}]",
    "[aeouyôAEOUYÔ][ùõÙÕ]",  # VNI sắc / ngã byte after a vowel ("Tuù", "Nguyeõ"); Vietnamese has no "aù"
    "[aA][âáàãêéèúÂÁÀÃÊÉÈÚ]",  # VNI â/ă with tones ("Vaên", "Traàn")
    "[eE][âáàãÂÁÀÃ]",  # VNI ê with tones ("Nguyeãn", "Leâ")
    "[oO][âÂ]",  # VNI plain ô ("Toâ"); "oà/oá/oã" are left alone: they are correct in "Hoàng", "hoá"
    "[a-z][ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ]",  # TCVN3 tone byte read as a capital inside a word ("NguyÔn", "TuÊn")
    "[uU][úÚ]|[óòôÓÒÔ][yY]",  # TCVN3 ỳ=ú ("Huúnh"), ú/ũ/ụ before y ("Thóy"): no Vietnamese "uú", "óy"
)
MOJIBAKE_REGEX: str = "|".join(f"(?:{p})" for p in _PATTERNS)
"""Search (not full-match) pattern for TCVN3/VNI tell-tales; runs in Python re and DuckDB regexp_matches.

Apply to NFC text (DuckDB: nfc_normalize). Limits: some mojibake is indistinguishable from real words
("Hồng" in VNI is "Hoàng"; "Tú" in TCVN3 is "Tó") and is missed; foreign names with letters such as
ü, ö, ç, ñ or ø are flagged and need a human look."""

_MOJIBAKE = re.compile(MOJIBAKE_REGEX)


def looks_like_mojibake(text: str) -> bool:
    """Whether text shows TCVN3 or VNI tell-tales (see MOJIBAKE_REGEX for what is and is not caught)."""
    return _MOJIBAKE.search(unicodedata.normalize("NFC", text)) is not None
