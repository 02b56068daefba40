"""Building blocks: vectorised identifiers agree with the domain's scalar rules; writers round-trip."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pyarrow as pa
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from r57_pipelines.domain.identifiers import (
    FEMALE,
    MALE,
    is_valid_plate,
    is_valid_tax_code,
    is_valid_vn_mobile,
    make_personal_id,
    tax_code_check_digit,
)
from r57_pipelines.domain.provinces import old_province_codes
from r57_pipelines.generate import codes, writers
from r57_pipelines.domain.communes import current_communes
from r57_pipelines.generate.geography import geography
from r57_pipelines.generate.timeline import EXTRACT_WINDOW_DAYS, Timeline, extract_moment

OLD_CODES = sorted(old_province_codes())


@settings(max_examples=200, deadline=None)
@given(
    old=st.sampled_from(OLD_CODES),
    female=st.booleans(),
    year=st.integers(1900, 2099),
    serial=st.integers(0, 999_999),
)
def test_personal_ids_match_the_domain_builder(old, female, year, serial):
    built = codes.personal_id_ints(np.array([int(old)]), np.array([int(female)]), np.array([year]), np.array([serial]))
    assert codes.personal_id_text(built).to_pylist() == [make_personal_id(old, FEMALE if female else MALE, year, serial)]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 999_999_999))
def test_tax_check_digits_match_the_domain(first9):
    expected = tax_code_check_digit(f"{first9:09d}")
    assert codes.tax_check_digits(np.array([first9]))[0] == (10 if expected is None else int(expected))


def test_tax_code_sequence_is_valid_distinct_and_sliceable():
    sequence = codes.tax_codes(0, 20_000)
    text = codes.tax_code_text(sequence).to_pylist()
    assert len(set(text)) == len(text) and all(is_valid_tax_code(t) for t in text)
    assert (codes.tax_codes(5_000, 100) == sequence[5_000:5_100]).all()


def test_mobiles_and_plates_are_valid():
    rng = np.random.default_rng(1)
    assert all(is_valid_vn_mobile(m) for m in codes.mobile_text(rng, 20_000).to_pylist())
    plates = codes.plate_text(codes.unique_plate_keys(rng, rng.random(20_000) < 0.2)).to_pylist()
    assert len(set(plates)) == len(plates) and all(is_valid_plate(p) for p in plates)


def test_communes_are_the_official_ones_of_each_province():
    geo = geography()
    assert len(geo.codes) == 34 and int(geo.commune_counts.sum()) == len(current_communes()) == 3321
    assert int(geo.commune_counts.max()) < 1000  # records.py groups rows by province * 1000 + commune number
    for i, code in enumerate(geo.codes):
        first = geo.commune_code_ints(np.array([i]), np.array([1]))[0]
        last = geo.commune_code_ints(np.array([i]), np.array([geo.commune_counts[i]]))[0]
        assert current_communes()[f"{first:05d}"].province == current_communes()[f"{last:05d}"].province == code
    assert sum(len(a) for a in geo.abolished_of_current) == 63 - 34


@pytest.mark.parametrize("cadence", sorted(EXTRACT_WINDOW_DAYS))
def test_extract_moments_follow_the_cadence(cadence):
    as_of = dt.date(2025, 12, 4)
    rng = np.random.default_rng(3)
    low, high = EXTRACT_WINDOW_DAYS[cadence]
    for _ in range(50):
        days = (as_of - extract_moment(as_of, cadence, rng, stale=False).date()).days
        assert low <= days <= high
        assert (as_of - extract_moment(as_of, cadence, rng, stale=True).date()).days >= 150


def test_updates_never_precede_creation_nor_follow_the_extract():
    as_of = dt.date(2025, 12, 4)
    rng = np.random.default_rng(4)
    for stale in (False, True):
        timeline = Timeline(as_of, extract_moment(as_of, "monthly", rng, stale), stale)
        created = timeline.created_days(rng, np.full(10_000, 12_000))
        updated = timeline.updated_seconds(rng, created)
        assert (updated >= created * 86_400).all() and (updated <= timeline.extracted_second).all()
        recent = (updated >= timeline.recent_start_second).mean()
        assert recent == 0 if stale else recent >= 0.5


TRICKY = pa.table(
    {
        "name": ["Nguyễn Văn \"An\"", "back\\slash", None, "  NguyÔn V¨n §øc ", ""],
        "amount": [1.5, None, 150000.0, 0.0, 1e20],
    }
)


def test_jsonl_lines_are_json_and_round_trip():
    lines = writers.jsonl_lines(TRICKY)
    assert [json.loads(line) for line in lines] == TRICKY.to_pylist()


def test_xlsx_is_readable_and_deterministic(tmp_path: Path):
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    writers.write_table(first, "xlsx", [TRICKY, TRICKY])
    writers.write_table(second, "xlsx", [TRICKY, TRICKY])
    assert first.read_bytes() == second.read_bytes()
    sheet = openpyxl.load_workbook(first, read_only=True).worksheets[0]
    rows = [tuple(r) + (None,) * (2 - len(r)) for r in sheet.iter_rows(values_only=True)]  # empty cells are left out
    assert rows[0] == ("name", "amount")
    assert [r[0] for r in rows[1:6]] == TRICKY.column("name").to_pylist()
    assert rows[2][1] is None and rows[5][1] == 1e20
    assert zipfile.ZipFile(first).testzip() is None


def test_manifest_text_parses_to_the_delivery_format():
    text = writers.manifest_text("population", "MPS", "2025-12-03T23:00:00+07:00", [("citizen", "citizen.parquet")])
    assert yaml.safe_load(text) == {
        "database_id": "population",
        "ministry": "MPS",
        "extracted_at": "2025-12-03T23:00:00+07:00",
        "tables": [{"name": "citizen", "file": "citizen.parquet"}],
    }
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(writers.broken_manifest_text("x", "MPS", "2025-12-03T23:00:00+07:00", [("t", "t.csv")]))
