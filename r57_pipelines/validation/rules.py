"""Definitions shared by the suites, the GX custom expectations and the one-pass validator.

Every rule is written once in SQL (sqlglot, ``conditions`` / ``sqlbuild``; GX's metrics in ``gx/`` render the same
conditions) and takes its patterns and value lists from here. The Python helpers (``parse_date``,
``is_valid_tax_code`` ...) are the independent reference meaning the tests compare that SQL with
(tests/validation/test_rules.py; tests/generate/readback.py).

Regexes are written for both Python ``re`` and RE2 (DuckDB): ``[0-9]`` instead of ``\\d``, no look-around,
no back-references. ``full(r)`` anchors a full-match pattern for partial-match engines (GX's regex
expectations and DuckDB's ``regexp_matches`` both search, like ``re.search``).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from functools import cache

from r57_pipelines.domain.communes import current_communes, merged_commune_codes
from r57_pipelines.domain.identifiers import (
    FEMALE,
    MALE,
    PERSONAL_ID_REGEX,
    PLATE_REGEX,
    TAX_CODE_REGEX,
    vn_mobile_regex,
)
from r57_pipelines.domain.provinces import current_province_codes, province_name
from r57_pipelines.domain.text import MOJIBAKE_REGEX, PLACEHOLDER_VALUES


def full(regex: str) -> str:
    """Anchor a full-match pattern for engines that search (``re.search``, ``regexp_matches``)."""
    return f"^(?:{regex})$"


# ---------------------------------------------------------------------------------------------------
# Whitespace: exactly Python's str.isspace() (what domain.text.normalise_text collapses), spelled as
# literal characters so that RE2, whose \s is only [\t\n\f\r ], means the same.
# ---------------------------------------------------------------------------------------------------


@cache
def _whitespace_chars() -> str:
    return "".join(ch for ch in map(chr, range(sys.maxunicode + 1)) if ch.isspace())


WHITESPACE_CHARS: str = _whitespace_chars()
WS: str = f"[{WHITESPACE_CHARS}]"
"""A regex class of every whitespace character."""
NOT_WS: str = f"[^{WHITESPACE_CHARS}]"
OTHER_WS: str = "[" + WHITESPACE_CHARS.replace(" ", "") + "]"
"""Whitespace other than the plain space (tab, newline, no-break space ...)."""

BLANK_REGEX = f"^{WS}*$"
"""An empty or whitespace-only value: missing, like NULL."""
MESSY_WHITESPACE_REGEX = f"^{WS}|{WS}$|{WS}{WS}|{OTHER_WS}"
"""Leading/trailing whitespace, a run of two, or any whitespace other than one plain space."""


def normalise(value: str) -> str:
    """NFC, whitespace runs collapsed to one space, trimmed (= domain.text.normalise_text)."""
    return re.sub(f"{WS}+", " ", unicodedata.normalize("NFC", value)).strip(" ")


def normalise_key(value: str) -> str:
    """normalise() then lower-case: how natural keys, placeholders and master data are compared."""
    return normalise(value).lower()


# ---------------------------------------------------------------------------------------------------
# Parsing text as a date, a timestamp or a number.
# ---------------------------------------------------------------------------------------------------

DATE_ISO_REGEX = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DATE_DMY_REGEX = "^[0-9]{2}/[0-9]{2}/[0-9]{4}$"
DATE_FORMATS = ((DATE_ISO_REGEX, "%Y-%m-%d"), (DATE_DMY_REGEX, "%d/%m/%Y"))
"""Accepted spellings of a date (ISO first, then the Vietnamese day/month/year). Year 0000 is no date."""

TIMESTAMP_REGEX = (
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,6})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"
)
"""ISO 8601 date-time *with* a UTC offset (the contract's form): comparisons never depend on a session zone."""

NUMBER_REGEX = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$"
"""A plain decimal number, dot as decimal separator, no thousands separators."""

PARSE_TYPES = ("date", "timestamp", "number")

CANONICAL_DATE_REGEX = DATE_ISO_REGEX
CANONICAL_TIMESTAMP_REGEX = (
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})$"
)
CANONICAL_PHONE_REGEX = "^0[0-9]{9}$"


def parse_date(value: str) -> dt.date | None:
    for regex, fmt in DATE_FORMATS:
        if re.search(regex, value):
            if value.startswith("0000") or value.endswith("/0000"):
                return None
            try:
                return dt.datetime.strptime(value, fmt).date()
            except ValueError:
                return None
    return None


def parse_timestamp(value: str) -> dt.datetime | None:
    if not re.search(TIMESTAMP_REGEX, value):
        return None
    text = value.replace("Z", "+00:00")
    if re.search("[+-][0-9]{2}$", text):
        text += ":00"
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def parse_number(value: str) -> float | None:
    return float(value) if re.search(NUMBER_REGEX, value) else None


def parse(value: str, as_type: str) -> object | None:
    return {"date": parse_date, "timestamp": parse_timestamp, "number": parse_number}[as_type](value)


def parse_bound(value: object, as_type: str) -> object:
    """A suite's min/max bound as the comparable Python value (bounds must themselves parse)."""
    if as_type == "number":
        return float(value)  # type: ignore[arg-type]
    if isinstance(value, dt.datetime | dt.date):
        return value
    parsed = parse(str(value), as_type)
    if parsed is None:
        raise ValueError(f"bound {value!r} is not a {as_type} in the accepted form")
    return parsed


# ---------------------------------------------------------------------------------------------------
# Formats by column kind.
# ---------------------------------------------------------------------------------------------------

SEX_VALUES = (MALE, FEMALE)
PERSONAL_ID_FULL_REGEX = full(PERSONAL_ID_REGEX)
PLATE_FULL_REGEX = full(PLATE_REGEX)
TAX_CODE_FULL_REGEX = full(TAX_CODE_REGEX)
TAX_CODE_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
MOJIBAKE = MOJIBAKE_REGEX
PHONE_STRIP_REGEX = "[ .()-]"
"""Separators people write inside phone numbers; a valid number may carry them (a 'clean' finding only)."""


@cache
def phone_regex() -> str:
    """A VN mobile in national (0...) or international (+84 / 84) form, separators removed first."""
    national = vn_mobile_regex()
    if not national.startswith("0"):
        raise RuntimeError(f"vn_mobile_regex() no longer starts with the trunk 0: {national!r}")
    return f"^(?:\\+?84|0)(?:{national[1:]})$"


def province_codes() -> list[str]:
    return sorted(current_province_codes())


# ---------------------------------------------------------------------------------------------------
# Communes: the official list (domain.communes, assets/reference/communes.yaml).
# ---------------------------------------------------------------------------------------------------


def commune_codes() -> list[str]:
    """Every code of the official list: the 3,321 units in force and the codes merged away on 1 Jul 2025."""
    return sorted({*current_communes(), *merged_commune_codes()})


def merged_codes() -> list[str]:
    return sorted(merged_commune_codes())


@cache
def commune_provinces() -> dict[str, str]:
    """Current commune code -> its current province code."""
    return {code: c.province for code, c in sorted(current_communes().items())}


@cache
def commune_names() -> dict[str, str]:
    """Current commune code -> its name as matched in addresses: lower case, NFC ("hồng hà")."""
    return {code: c.name.lower() for code, c in sorted(current_communes().items())}


@cache
def commune_province_names() -> dict[str, str]:
    """Current commune code -> its province's name as matched in addresses: lower case, NFC ("hà nội")."""
    return {code: province_name(c.province).lower() for code, c in sorted(current_communes().items())}


def commune_in_province(commune: str, province: str) -> bool:
    """Reference for the in-province rule: judged only when both codes are current, else True."""
    if commune not in commune_provinces() or province not in current_province_codes():
        return True
    return commune_provinces()[commune] == province


def address_judged(address: str) -> bool:
    """An address the names rule can read: neither a placeholder nor mojibake (other rules' findings)."""
    return normalise_key(address) not in PLACEHOLDER_VALUES and not re.search(MOJIBAKE, unicodedata.normalize("NFC", address))


def address_names_commune(address: str, commune: str) -> bool:
    """Reference for the address rule: the normalised, lower-cased address contains the name of the commune
    ``commune`` and of that commune's province. Judged only for a current commune and a readable address."""
    if commune not in commune_names() or not address_judged(address):
        return True
    key = normalise_key(address)
    return commune_names()[commune] in key and commune_province_names()[commune] in key


def placeholder_values() -> list[str]:
    return sorted(PLACEHOLDER_VALUES)




def is_valid_tax_code(value: str) -> bool:
    """The stored form and check digit (= domain.identifiers.is_valid_tax_code(strict=True))."""
    if not re.search(TAX_CODE_FULL_REGEX, value) or value[2:9] == "0000000" or value[11:] == "000":
        return False
    check = 10 - sum(w * int(d) for w, d in zip(TAX_CODE_WEIGHTS, value[:9])) % 11
    return check != 10 and value[9] == str(check)


def personal_id_matches(personal_id: str, sex: str, birth_date: str, male: str = MALE, female: str = FEMALE) -> bool:
    """Reference for the multicolumn rule: only judged when all three are usable, else True."""
    sex_n = normalise(sex)
    born = parse_date(birth_date)
    if not re.search(PERSONAL_ID_FULL_REGEX, personal_id) or sex_n not in (male, female) or born is None:
        return True
    g = (born.year // 100 - 19) * 2 + (1 if sex_n == female else 0)
    return personal_id[3] == str(g) and personal_id[4:6] == f"{born.year % 100:02d}"
