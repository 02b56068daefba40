"""Identifier validators against the brief's examples, stdnum, libphonenumber and DuckDB's regex engine."""

import random
import re

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.vn import mst

from r57_pipelines.domain import identifiers as ids
from r57_pipelines.domain.provinces import old_province_codes

OLD_CODES = sorted(old_province_codes())

# --------------------------------------------------------------------------------------- personal id


@pytest.mark.parametrize(
    ("sex", "year", "digit"),
    [("Nam", 1900, "0"), ("Nữ", 1999, "1"), ("Nam", 2000, "2"), ("Nữ", 2025, "3"), ("Nam", 2100, "4"),
     ("Nữ", 2199, "5"), ("Nu\u031b\u0303", 1980, "1")],  # NFD "Nữ" is accepted
)
def test_century_sex_digit(sex, year, digit):
    assert ids.personal_id_century_sex_digit(sex, year) == digit


@pytest.mark.parametrize(("sex", "year"), [("Nam", 1899), ("Nữ", 2200), ("M", 1990), ("nam", 1990), ("Nu", 1990)])
def test_century_sex_digit_rejects(sex, year):
    with pytest.raises(ValueError):
        ids.personal_id_century_sex_digit(sex, year)


@pytest.mark.parametrize(
    ("value", "sex", "year", "agrees"),
    [
        ("001085012345", "Nam", 1985, True),
        ("001185012345", "Nữ", 1985, True),
        ("079203012345", "Nam", 2003, True),
        ("079303012345", "Nữ", 2003, True),
        ("096401012345", "Nam", 2101, True),
        ("096501012345", "Nữ", 2101, True),
        ("001085012345", "Nữ", 1985, False),  # sex digit says male
        ("001185012345", "Nam", 1985, False),
        ("001085012345", "Nam", 1986, False),  # year
        ("001085012345", "Nam", 2085, False),  # century
        ("079303012345", "Nữ", 1903, False),
        ("096401012345", "Nam", 2001, False),
        ("001085012345", "Không rõ", 1985, False),  # unknown sex cannot agree
        ("001085012345", "Nam", 1885, False),  # unencodable year
    ],
)
def test_personal_id_agrees(value, sex, year, agrees):
    assert ids.is_valid_personal_id(value)
    assert ids.personal_id_agrees(value, sex, year) is agrees


@pytest.mark.parametrize(
    "value",
    ["00108501234", "0010850123456", "001685012345", "001985012345", "003085012345", "000085012345",
     "050085012345", "00108501234a", " 01085012345", "001085012345\n", "００１０８５０１２３４５",
     "٠٠١٠٨٥٠١٢٣٤٥", None, 1085012345],
)
def test_invalid_personal_ids(value):
    assert not ids.is_valid_personal_id(value)


def test_foreign_registration_codes():
    assert ids.is_valid_personal_id("840085012345")
    assert not ids.is_valid_personal_id("840085012345", allow_foreign=False)
    assert ids.is_valid_personal_id("001085012345", allow_foreign=False)


def test_make_personal_id_rejects_bad_input():
    with pytest.raises(ValueError):
        ids.make_personal_id("03", "Nam", 1990, 1)  # 03 was never a province code
    with pytest.raises(ValueError):
        ids.make_personal_id("79", "Nam", 1990, 1_000_000)
    with pytest.raises(ValueError):
        ids.make_personal_id("79", "Nam", 1850, 1)


@given(
    code=st.sampled_from(OLD_CODES),
    sex=st.sampled_from(["Nam", "Nữ"]),
    year=st.integers(1900, 2199),
    serial=st.integers(0, 999_999),
)
def test_made_personal_ids_are_valid_and_agree(code, sex, year, serial):
    value = ids.make_personal_id(code, sex, year, serial)
    assert ids.is_valid_personal_id(value, allow_foreign=False)
    assert re.fullmatch(ids.PERSONAL_ID_REGEX, value)
    assert ids.personal_id_agrees(value, sex, year)
    other = "Nữ" if sex == "Nam" else "Nam"
    assert not ids.personal_id_agrees(value, other, year)
    assert not ids.personal_id_agrees(value, sex, year + 100 if year < 2100 else year - 100)


@given(st.text(alphabet="0123456789", min_size=11, max_size=13))
def test_personal_id_regex_agrees_with_validator(value):
    assert (re.fullmatch(ids.PERSONAL_ID_REGEX, value) is not None) == ids.is_valid_personal_id(value)


# --------------------------------------------------------------------------------------------- tax


@pytest.mark.parametrize("value", ["0100233488", "0314409058", "0100109106", "0314409058-002", "0100233488-999"])
def test_known_valid_tax_codes(value):
    assert ids.is_valid_tax_code(value)


@pytest.mark.parametrize(
    "value",
    [
        "0100233480",  # wrong check digit
        "0100233489",
        "0314409058-000",  # suffix 000
        "0100000000",  # N3..N9 all zero
        "010023348",  # too short
        "01002334881",  # 11 digits
        "0100233488-01",
        "010023348A",
        None,
        100233488,
    ],
)
def test_invalid_tax_codes(value):
    assert not ids.is_valid_tax_code(value)
    assert not ids.is_valid_tax_code(value, strict=False)


@pytest.mark.parametrize("value", ["0314409058002", "01.00.233.488", " 0100233488", "0100233488 - 001", "0100-233-488"])
def test_non_canonical_tax_codes_pass_only_stdnum(value):
    assert mst.is_valid(value)
    assert ids.is_valid_tax_code(value, strict=False)
    assert not ids.is_valid_tax_code(value)


@pytest.mark.parametrize(("first9", "check"), [("010023348", "8"), ("031440905", "8"), ("010010910", "6")])
def test_check_digit_of_known_codes(first9, check):
    assert ids.tax_code_check_digit(first9) == check


def test_check_digit_agrees_with_stdnum_on_random_prefixes():
    rng = random.Random(57)
    no_code = 0
    for _ in range(3000):
        first9 = f"{rng.randrange(10**9):09d}"
        if first9[2:] == "0000000":
            continue
        check = ids.tax_code_check_digit(first9)
        no_code += check is None
        for digit in "0123456789":
            assert mst.is_valid(first9 + digit) == (digit == check), first9
    assert 150 < no_code < 450  # about 1 prefix in 11 has no valid check digit


@given(st.integers(), st.one_of(st.none(), st.integers(1, 999)))
def test_made_tax_codes_pass_stdnum(seed, branch):
    code = ids.make_tax_code(seed, branch=branch)
    assert mst.is_valid(code)
    assert ids.is_valid_tax_code(code)
    assert code == ids.make_tax_code(seed, branch=branch)


# ------------------------------------------------------------------------------------------ phones

VALID_PREFIXES_FROM_BRIEF = [f"03{d}" for d in range(2, 10)] + ["056", "058", "059", "070"] + [
    f"07{d}" for d in range(6, 10)] + [f"08{d}" for d in range(1, 9)] + [f"09{d}" for d in range(0, 9)]


@pytest.mark.parametrize("value", ["0912345678", "0321234567", "0868123456", "0707123456", "0591234567"])
def test_valid_mobiles(value):
    assert ids.is_valid_vn_mobile(value)


@pytest.mark.parametrize(
    "value",
    ["01212345678", "0912 345 678", "+84912345678", "84912345678", "912345678", "091234567", "09123456789",
     "02438251234", "0241234567", "0000000000", " 0912345678", None],
)
def test_invalid_mobiles(value):
    assert not ids.is_valid_vn_mobile(value)


def _phone_samples() -> list[str]:
    rng = random.Random(18)
    samples = []
    for _ in range(1500):  # prefixes from the brief: nearly all valid
        samples.append(rng.choice(VALID_PREFIXES_FROM_BRIEF) + f"{rng.randrange(10**7):07d}")
    for _ in range(800):  # stale 11-digit 01xx numbers
        samples.append(f"01{rng.randrange(10**9):09d}")
    for _ in range(1500):  # any 10-digit string starting with 0: mixes valid, landline and unassigned
        samples.append(f"0{rng.randrange(10**9):09d}")
    for _ in range(200):  # wrong lengths
        samples.append(f"0{rng.randrange(10**8):0{rng.choice([7, 8, 10])}d}")
    return samples


def test_mobile_regex_agrees_with_phonenumbers():
    samples = _phone_samples()
    pattern = re.compile(ids.vn_mobile_regex())
    for value in samples:
        assert (pattern.fullmatch(value) is not None) == ids.is_valid_vn_mobile(value), value
    assert sum(map(ids.is_valid_vn_mobile, samples[:1500])) > 1400
    assert not any(map(ids.is_valid_vn_mobile, samples[1500:2300]))


def test_mobile_regex_runs_identically_in_duckdb():
    samples = _phone_samples()
    con = duckdb.connect()
    rows = con.execute(
        "SELECT v, regexp_full_match(v, ?) FROM unnest(?::VARCHAR[]) t(v)", [ids.vn_mobile_regex(), samples]
    ).fetchall()
    assert len(rows) == len(samples)
    for value, matched in rows:
        assert matched == ids.is_valid_vn_mobile(value), value


# ------------------------------------------------------------------------------------------ plates


@pytest.mark.parametrize("value", ["30A-123.45", "51K-999.99", "29B1-234.56", "59X3-001.23", "43Z-000.01"])
def test_valid_plates(value):
    assert ids.is_valid_plate(value)


@pytest.mark.parametrize(
    "value",
    ["30I-123.45", "30O-123.45", "30Q-123.45", "30R-123.45", "30W-123.45", "30J-123.45",  # letters not used
     "30a-123.45", "30A-12345", "30A-1234", "30A 123.45", "3A-123.45", "29B12-234.56", "29B1-234.5", None],
)
def test_invalid_plates(value):
    assert not ids.is_valid_plate(value)


def test_identifier_regexes_run_in_duckdb():
    con = duckdb.connect()
    cases = [
        (ids.PERSONAL_ID_REGEX, "079303012345", True), (ids.PERSONAL_ID_REGEX, "003303012345", False),
        (ids.TAX_CODE_REGEX, "0314409058-002", True), (ids.TAX_CODE_REGEX, "0314409058002", False),
        (ids.PLATE_REGEX, "29B1-234.56", True), (ids.PLATE_REGEX, "30I-123.45", False),
    ]
    for pattern, value, expected in cases:
        assert con.execute("SELECT regexp_full_match(?, ?)", [value, pattern]).fetchone()[0] is expected
