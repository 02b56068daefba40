"""Structural validity of Vietnamese identifiers: personal number, tax code, mobile number, vehicle plate.

Each validator checks the stored form strictly (no trimming or reformatting): a value that needs cleaning
to pass is not clean. The *_REGEX constants are full-match patterns (Python ``re.fullmatch``, DuckDB
``regexp_full_match``); they use ``[0-9]`` rather than ``\\d`` because Python's ``\\d`` also matches
non-ASCII digits while RE2's does not.
"""

from __future__ import annotations

import random
import re
import unicodedata
from functools import cache

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumberType
from stdnum.vn import mst

from r57_pipelines.domain.provinces import old_province_codes

# ---------------------------------------------------------------------------------------------------
# Personal identification number (số định danh cá nhân): PPP G YY RRRRRR, no check digit.
# ---------------------------------------------------------------------------------------------------

MALE = "Nam"
FEMALE = "Nữ"

# G encodes century and sex: (first year of century) -> (male digit, female digit).
_CENTURY_SEX_DIGITS: dict[int, tuple[str, str]] = {1900: ("0", "1"), 2000: ("2", "3"), 2100: ("4", "5")}

# Births registered abroad carry a 3-digit country code instead of "0" + province. The official list
# (annex to the MPS circulars on personal numbers) was not verified, so we accept 100-999 as the
# plausible country-code range (UNVERIFIED; codes 0xx must be "0" + an old province code). Set
# allow_foreign=False where only domestic registrations are expected.
FOREIGN_PPP_MIN = 100


@cache
def _domestic_ppp() -> frozenset[str]:
    return frozenset("0" + c for c in old_province_codes())


def _personal_id_regex() -> str:
    provinces = "|".join(sorted(_domestic_ppp()))
    return f"(?:{provinces}|[1-9][0-9]{{2}})[0-5][0-9]{{8}}"


PERSONAL_ID_REGEX: str = _personal_id_regex()
"""Full-match pattern: domestic PPP or a 100-999 country code, G in 0-5, 8 more digits."""


def _canonical_sex(sex: str) -> str | None:
    value = unicodedata.normalize("NFC", sex).strip() if isinstance(sex, str) else None
    return value if value in (MALE, FEMALE) else None


def personal_id_century_sex_digit(sex: str, year: int) -> str:
    """The G digit for a person: 1900s Nam 0 / Nữ 1, 2000s 2 / 3, 2100s 4 / 5. ValueError otherwise."""
    canonical = _canonical_sex(sex)
    if canonical is None:
        raise ValueError(f"sex must be {MALE!r} or {FEMALE!r}, got {sex!r}")
    century = (year // 100) * 100
    if century not in _CENTURY_SEX_DIGITS:
        raise ValueError(f"birth year {year} is outside 1900-2199, which the personal number can encode")
    male, female = _CENTURY_SEX_DIGITS[century]
    return male if canonical == MALE else female


def is_valid_personal_id(value: object, *, allow_foreign: bool = True) -> bool:
    """12 ASCII digits, PPP a known birth-registration code, G in 0-5. Says nothing about the holder."""
    if not isinstance(value, str) or len(value) != 12 or not value.isascii() or not value.isdigit():
        return False
    ppp, g = value[:3], value[3]
    if g not in "012345":
        return False
    if ppp in _domestic_ppp():
        return True
    return allow_foreign and int(ppp) >= FOREIGN_PPP_MIN


def personal_id_agrees(value: object, sex: str, birth_year: int) -> bool:
    """Whether a valid number encodes this sex and birth year. Unknown sex or unencodable year: False."""
    if not is_valid_personal_id(value):
        return False
    try:
        g = personal_id_century_sex_digit(sex, birth_year)
    except ValueError:
        return False
    assert isinstance(value, str)
    return value[3] == g and value[4:6] == f"{birth_year % 100:02d}"


def make_personal_id(province_old_code: str, sex: str, birth_date_year: int, serial: int) -> str:
    """Build a number for a birth registered in an old province (2-digit code, e.g. "79")."""
    if province_old_code not in old_province_codes():
        raise ValueError(f"{province_old_code!r} is not one of the 63 old province codes")
    if not 0 <= serial <= 999_999:
        raise ValueError(f"serial must be 0-999999, got {serial}")
    g = personal_id_century_sex_digit(sex, birth_date_year)
    return f"0{province_old_code}{g}{birth_date_year % 100:02d}{serial:06d}"


# ---------------------------------------------------------------------------------------------------
# Tax code (mã số thuế): N1..N10 [-N11N12N13]
# ---------------------------------------------------------------------------------------------------

TAX_CODE_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
TAX_CODE_REGEX = r"[0-9]{10}(?:-[0-9]{3})?"
"""Full-match pattern of the stored form: 10 digits, or 10 digits, a dash and a 3-digit unit suffix."""


def tax_code_check_digit(first9: str) -> str | None:
    """N10 = 10 - (weighted sum mod 11); remainder 0 would need "10", so no valid code exists: None."""
    if len(first9) != 9 or not first9.isascii() or not first9.isdigit():
        raise ValueError(f"expected 9 digits, got {first9!r}")
    check = 10 - sum(w * int(d) for w, d in zip(TAX_CODE_WEIGHTS, first9)) % 11
    return None if check == 10 else str(check)


def is_valid_tax_code(value: object, *, strict: bool = True) -> bool:
    """Check digit and components via stdnum.vn.mst.

    stdnum first strips spaces, dots and dashes anywhere, so on its own it accepts "0100233488",
    "0100233488-001", "0100233488001" and "01.00.233.488". strict=True (default) first requires the
    canonical stored form (TAX_CODE_REGEX: no spaces/dots, suffix only after a dash); strict=False
    accepts whatever stdnum accepts.
    """
    if not isinstance(value, str):
        return False
    if strict and re.fullmatch(TAX_CODE_REGEX, value) is None:
        return False
    return mst.is_valid(value)


def make_tax_code(seed_int: int, *, branch: int | None = None) -> str:
    """A valid tax code chosen deterministically from a seed (about 1 prefix in 11 has no check digit)."""
    rng = random.Random(seed_int)
    while True:
        first9 = f"{rng.randint(1, 99):02d}{rng.randint(1, 9_999_999):07d}"
        check = tax_code_check_digit(first9)
        if check is not None:
            break
    code = first9 + check
    if branch is not None:
        if not 1 <= branch <= 999:
            raise ValueError(f"branch suffix must be 1-999, got {branch}")
        code += f"-{branch:03d}"
    return code


# ---------------------------------------------------------------------------------------------------
# Mobile numbers: 10-digit national form 0XXXXXXXXX, validated against libphonenumber's VN metadata.
# ---------------------------------------------------------------------------------------------------

_NATIONAL_FORM = re.compile(r"0[0-9]{9}")


def is_valid_vn_mobile(value: object) -> bool:
    """Exactly "0" + 9 digits and a mobile number for region VN per libphonenumber (no +84, no spaces)."""
    if not isinstance(value, str) or _NATIONAL_FORM.fullmatch(value) is None:
        return False
    try:
        number = phonenumbers.parse(value, "VN")
    except phonenumbers.NumberParseException:  # "00..." is read as an international (IDD) prefix
        return False
    return phonenumbers.is_valid_number_for_region(number, "VN") and (
        phonenumbers.number_type(number) == PhoneNumberType.MOBILE
    )


@cache
def vn_mobile_regex() -> str:
    """Full-match pattern for national-form VN mobiles, built from libphonenumber's own metadata.

    "0" + the metadata's mobile national_number_pattern, with \\d spelled [0-9] so Python and RE2 agree.
    Derived rather than hand-written so that it moves with the installed phonenumbers version.
    """
    metadata = PhoneMetadata.metadata_for_region("VN")
    if metadata is None or metadata.mobile is None or metadata.mobile.national_number_pattern is None:
        raise RuntimeError("phonenumbers has no VN mobile metadata")
    lengths = set(metadata.mobile.possible_length or ())
    if lengths and lengths != {9}:  # the pattern alone must fix the length for the "0" + 9 form
        raise RuntimeError(f"unexpected VN mobile lengths {sorted(lengths)}; revisit vn_mobile_regex")
    return "0(?:" + metadata.mobile.national_number_pattern.replace(r"\d", "[0-9]") + ")"


# ---------------------------------------------------------------------------------------------------
# Vehicle plates (Circular 24/2023 presentation).
# ---------------------------------------------------------------------------------------------------

PLATE_SERIES_LETTERS = "[A-HK-NPS-VXYZ]"
CAR_PLATE_REGEX = rf"[0-9]{{2}}{PLATE_SERIES_LETTERS}-[0-9]{{3}}\.[0-9]{{2}}"
"""Car: DDL-DDD.DD, e.g. 30A-123.45."""
MOTORBIKE_PLATE_REGEX = rf"[0-9]{{2}}{PLATE_SERIES_LETTERS}[0-9]-[0-9]{{3}}\.[0-9]{{2}}"
"""Motorbike: DDLD-DDD.DD, e.g. 29B1-234.56."""
PLATE_REGEX = f"(?:{CAR_PLATE_REGEX}|{MOTORBIKE_PLATE_REGEX})"


def is_valid_plate(value: object) -> bool:
    """Car or motorbike plate in the 5-digit serial form; older 4-digit plates do not pass."""
    return isinstance(value, str) and re.fullmatch(PLATE_REGEX, value) is not None
