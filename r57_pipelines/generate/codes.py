"""Vectorised builders of identifiers (personal numbers, tax codes, mobiles, plates) and their text form.

The rules come from r57_pipelines.domain.identifiers (century/sex digit, tax-code weights, plate letters,
libphonenumber's mobile ranges); this module only applies them to whole numpy arrays, because calling
the scalar helpers per row is too slow at 50M rows. tests/generate checks both agree.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from r57_pipelines.domain.identifiers import (
    FEMALE,
    MALE,
    PLATE_SERIES_LETTERS,
    TAX_CODE_WEIGHTS,
    is_valid_vn_mobile,
    personal_id_century_sex_digit,
)

# Personal numbers of the population use serials below this; numbers "not in the population" use the rest.
POPULATION_SERIAL_LIMIT = 500_000


def padded(values: np.ndarray, width: int) -> pa.StringArray:
    """Non-negative integers as zero-padded text."""
    return pc.utf8_lpad(pa.array(values.astype(np.int64)).cast(pa.string()), width, "0")


# --- Personal identification number: PPP G YY RRRRRR -----------------------------------------------


@cache
def _century_sex_digits() -> np.ndarray:
    """[century index (1900s=0, 2000s=1), sex (0 Nam, 1 Nữ)] -> G digit, from the domain rule."""
    return np.array(
        [[int(personal_id_century_sex_digit(sex, year)) for sex in (MALE, FEMALE)] for year in (1900, 2000)],
        dtype=np.int64,
    )


def personal_id_ints(birth_old_code: np.ndarray, sex: np.ndarray, birth_year: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """12-digit numbers as int64: "0" + old province code, G, YY, serial."""
    year = birth_year.astype(np.int64)
    g = _century_sex_digits()[(year >= 2000).astype(np.int64), sex.astype(np.int64)]
    return birth_old_code.astype(np.int64) * 10**9 + g * 10**8 + (year % 100) * 10**6 + serial.astype(np.int64)


def personal_id_text(ids: np.ndarray) -> pa.StringArray:
    return padded(ids, 12)


# --- Tax codes ---------------------------------------------------------------------------------------

_TAX_MULTIPLIER = 387_420_489  # 9**9: coprime with 10**9, so candidate k -> base is a bijection
_TAX_OFFSET = 100_233_488


def tax_check_digits(first9: np.ndarray) -> np.ndarray:
    """N10 per the domain weights; 10 where no valid code exists."""
    digits = first9.astype(np.int64)
    total = np.zeros_like(digits)
    for position, weight in enumerate(TAX_CODE_WEIGHTS):
        total += weight * (digits // 10 ** (8 - position) % 10)
    return 10 - total % 11


def tax_codes(start: int, count: int) -> np.ndarray:
    """The start-th .. (start+count-1)-th valid codes of a fixed sequence, as 10-digit int64.

    Disjoint index ranges give disjoint codes, so databases take their own slices of one sequence.
    """
    needed = start + count
    found = np.empty(0, dtype=np.int64)
    size = int(needed * 1.25) + 64
    while found.size < needed:
        k = np.arange(size, dtype=np.int64)
        first9 = (k * _TAX_MULTIPLIER + _TAX_OFFSET) % 10**9
        check = tax_check_digits(first9)
        body = first9 % 10**7  # N3..N9 = 0000000 is not a valid code
        ok = (check < 10) & (body != 0) & (first9 >= 10**7)  # N1N2 = 00 does not occur
        found = (first9 * 10 + check)[ok]
        size *= 2
    return found[start:needed]


def tax_code_text(codes: np.ndarray) -> pa.StringArray:
    return padded(codes, 10)


# --- Mobile numbers ---------------------------------------------------------------------------------

_MOBILE_PREFIX_CANDIDATES = tuple(
    f"0{p}" for p in (*range(32, 40), 52, 56, 58, 59, 70, *range(76, 80), *range(81, 90), *range(90, 100))
)


@cache
def mobile_prefixes() -> np.ndarray:
    """4-digit starts ("0912") that libphonenumber accepts as VN mobile, probed with sample subscribers.

    Four digits because some 3-digit prefixes are only partly allocated (e.g. 099 except 0992).
    """
    ok = [
        int(start)
        for p in _MOBILE_PREFIX_CANDIDATES
        for start in (f"{p}{d}" for d in range(10))
        if all(is_valid_vn_mobile(f"{start}{n:06d}") for n in (0, 123_456, 555_555, 999_999))
    ]
    if len(ok) < 200:
        raise RuntimeError(f"only {len(ok)} mobile prefixes pass the domain validator; check phonenumbers")
    return np.array(ok, dtype=np.int64)


def mobile_text(rng: np.random.Generator, n: int) -> pa.StringArray:
    prefixes = mobile_prefixes()
    numbers = prefixes[rng.integers(0, prefixes.size, n)] * 10**6 + rng.integers(0, 10**6, n)
    return padded(numbers, 10)


# --- Vehicle plates: DDL-DDD.DD (car), DDLD-DDD.DD (motorbike) ---------------------------------------

# Registration area codes in use on plates (illustrative list of the pre-2025 province plate codes).
PLATE_AREAS = np.array(
    [11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37,
     38, 43, 47, 48, 49, 50, 51, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77,
     78, 79, 81, 82, 83, 84, 85, 86, 88, 89, 90, 92, 93, 94, 95, 97, 98, 99],
    dtype=np.int64,
)


@cache
def plate_letters() -> tuple[str, ...]:
    return tuple(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if re.fullmatch(PLATE_SERIES_LETTERS, c))


def unique_plate_keys(rng: np.random.Generator, is_car: np.ndarray) -> np.ndarray:
    """Distinct plate keys: area, letter, series digit (motorbikes only; 10 for cars), 5-digit number."""
    n = is_car.size
    letters = len(plate_letters())
    keys = np.empty(n, dtype=np.int64)
    todo = np.arange(n)
    while todo.size:
        area = PLATE_AREAS[rng.integers(0, PLATE_AREAS.size, todo.size)]
        letter = rng.integers(0, letters, todo.size)
        series = np.where(is_car[todo], 10, rng.integers(1, 10, todo.size))
        number = rng.integers(0, 100_000, todo.size)
        keys[todo] = ((area * letters + letter) * 11 + series) * 100_000 + number
        _, first = np.unique(keys, return_index=True)
        repeated = np.ones(n, dtype=bool)
        repeated[first] = False
        todo = np.flatnonzero(repeated)
    return keys


def plate_text(keys: np.ndarray) -> pa.StringArray:
    letters = len(plate_letters())
    number = keys % 100_000
    rest = keys // 100_000
    series, rest = rest % 11, rest // 11
    letter, area = rest % letters, rest // letters
    series_text = pc.if_else(
        pa.array(series == 10), pa.scalar("", pa.string()), pa.array(series).cast(pa.string())
    )
    head = pc.binary_join_element_wise(
        pa.array(area).cast(pa.string()), pa.array(plate_letters(), pa.string()).take(letter), series_text, ""
    )
    tail = pc.binary_join_element_wise(padded(number // 100, 3), padded(number % 100, 2), ".")
    return pc.binary_join_element_wise(head, tail, "-")
