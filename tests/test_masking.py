"""Masks never reveal a personal number, phone, name or birth date; values that are not personal are shown.

Masking goes by the column's kind (r57_pipelines/masking.py): a ministry reading the failing samples can
find its own records (record ids, codes, timestamps) while the personal fields stay masked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from r57_pipelines.masking import MASK, mask_text, mask_value
from r57_pipelines.quality.store import masked_samples
from r57_pipelines.registry import PII_KINDS, ColumnKind
from r57_pipelines.validation.outcome import make_outcome
from r57_pipelines.warehouse import quarantine_schema


@pytest.mark.parametrize(
    ("kind", "value", "masked"),
    [
        ("personal_id", "001090000001", "0010••••••••"),
        ("phone", "0912345678", "091•••••••"),
        ("person_name", "Nguyễn Văn An", "N•• V•• A••"),
        ("birth_date", "1990-03-15", "1990-••-••"),
        ("address", "12 Lê Lợi, Phường Bến Nghé, TP Hồ Chí Minh", "••• TP Hồ Chí Minh"),
        ("text", "Công ty 0100233488", "Công ty 010•••••••"),
        (None, "anything at all 0912345678", "•••"),  # a column outside the contract
    ],
)
def test_masks(kind, value, masked):
    assert mask_value(kind, value) == masked


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("code", "BHXH0000123456"),  # a record id: the ministry must find its own duplicate
        ("code", "DA"),
        ("province_code", "79"),
        ("commune_code", "26734"),
        ("sex", "Nữ"),
        ("date", "2024-02-30"),
        ("updated_at", "2025-11-30T23:59:59+07:00"),
        ("amount", 250000000.0),
    ],
)
def test_values_that_are_not_personal_are_shown_as_they_are(kind, value):
    assert mask_value(kind, value) == str(value)


def test_a_personal_number_typed_into_a_code_column_is_still_masked():
    assert mask_value("code", "001090000001") == "0010••••••••"


@pytest.mark.parametrize(("kind", "value", "masked"), [("plate", "30A-123.45", "30A•••••••"), ("tax_code", "0100233488", "010•••••••")])
def test_plates_and_tax_codes_are_personal_data_under_decree_13(kind, value, masked):
    assert mask_value(kind, value) == masked


def test_every_personal_kind_is_masked():
    shown = {k for k in PII_KINDS if mask_value(k, "001090000001 Nguyễn Văn An, 1990-03-15") == "001090000001 Nguyễn Văn An, 1990-03-15"}
    assert not shown


@given(st.from_regex(r"[0-9]{12}", fullmatch=True))
def test_a_masked_personal_number_never_contains_its_serial(number):
    masked = mask_value("personal_id", number)
    assert number[4:] not in masked and len(masked) == 12


@given(st.text(alphabet="0123456789 abc", min_size=0, max_size=40))
def test_mask_text_leaves_no_run_of_six_digits(text):
    assert not any(len(run) >= 6 for run in "".join(c if c.isdigit() else " " for c in mask_text(text)).split())


# --- masked samples (quality/store.py) ---------------------------------------------------------------

PERSON = {
    "record_id": "BHXH0000123456", "personal_id": "001090000001", "full_name": "Nguyễn Văn An",
    "birth_date": "1990-03-15", "phone": "0912345678", "registered_on": "2020-01-02",
}


def _person_database(registry):
    return next(
        db for db in registry.databases.values()
        if any(t.name == "person" and {c.name for c in t.columns} >= set(PERSON) for t in db.contract.tables)
    )


def _duplicates(database, columns: list[str], engine: str, partial=None):
    expectation = {
        "type": "expect_compound_columns_to_be_unique" if len(columns) > 1 else "expect_column_values_to_be_unique",
        "kwargs": {"column_list": columns} if len(columns) > 1 else {"column": columns[0]},
        "meta": {"check_id": "person.duplicates", "dimension": "clean", "severity": "major"},
    }
    outcome = make_outcome(database.id, f"raw_{database.id}", "person", expectation, 10, 2, False, engine=engine)
    return replace(outcome, columns=tuple(columns), partial_unexpected_list=partial)


def test_samples_show_the_record_id_and_mask_every_personal_field(registry):
    database = _person_database(registry)
    columns = list(PERSON)
    outcome = _duplicates(database, columns, "gx", partial=[PERSON, PERSON])
    samples = masked_samples(duckdb.connect(), database, outcome)
    assert len(samples) == 2
    sample = samples[0]
    assert sample["record_id"] == "BHXH0000123456"
    assert sample["registered_on"] == "2020-01-02"
    assert sample["personal_id"] == "0010••••••••"
    assert sample["full_name"] == "N•• V•• A••"
    assert sample["birth_date"] == "1990-••-••"
    assert sample["phone"] == "091•••••••"


def test_samples_from_the_quarantine_are_masked_by_kind(registry):
    database = _person_database(registry)
    con = duckdb.connect()
    schema = quarantine_schema(database.id)
    con.execute(f"create schema {schema}")
    con.execute(
        f"create table {schema}.person as select 'run' as _run_id, 'person.duplicates' as _check_id, "
        "'BHXH0000123456' as record_id, '001090000001' as personal_id, 'Nguyễn Văn An' as full_name"
    )
    outcome = _duplicates(database, ["record_id", "personal_id", "full_name"], "onepass")
    assert outcome.row_level  # its failing rows are read from the quarantine
    [sample] = masked_samples(con, database, outcome)
    assert sample == {"record_id": "BHXH0000123456", "personal_id": "0010••••••••", "full_name": "N•• V•• A••"}


def test_the_delivery_extracted_at_is_shown(registry):
    database = _person_database(registry)
    extracted = dt.datetime(2025, 10, 1, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    expectation = {
        "type": "expect_column_parsed_values_to_be_between",
        "kwargs": {"column": "extracted_at", "as_type": "timestamp", "min_value": "2025-11-01T00:00:00+07:00"},
        "meta": {"check_id": "_r57_delivery.extracted_at.fresh", "dimension": "live", "severity": "critical"},
    }
    outcome = replace(
        make_outcome(database.id, f"raw_{database.id}", "_r57_delivery", expectation, 1, 1, False, engine="gx"),
        partial_unexpected_list=[extracted],
    )
    assert masked_samples(duckdb.connect(), database, outcome) == [{"extracted_at": str(extracted)}]


def test_a_column_outside_the_contract_shows_nothing(registry):
    database = _person_database(registry)
    outcome = _duplicates(database, ["record_id", "father_name"], "gx", partial=[["BHXH0000123456", "Nguyễn Văn Bình"]])
    assert masked_samples(duckdb.connect(), database, outcome) == [{"record_id": "BHXH0000123456", "father_name": MASK * 3}]


def test_every_column_kind_is_decided():
    """A new ColumnKind must be placed on purpose: personal (masked) or shown; only free text falls through."""
    from r57_pipelines.masking import SHOWN_KINDS

    assert set(ColumnKind) == PII_KINDS | SHOWN_KINDS | {ColumnKind.text}
