"""The one-pass validator: each planted defect is caught by the right check, and nothing else fails."""

from __future__ import annotations

import re

import duckdb
import pytest
from sqlglot import exp

from r57_pipelines.validation import onepass
from r57_pipelines.validation.onepass import (
    MissingParameterError,
    failing_rows_sql,
    validate_database,
    validate_table,
)
from tests.validation.planted import DUPLICATE_PK, NATURAL_DUPLICATE, PARAMETERS, PLANTED, TESTDB, build_warehouse

# Table-level findings the planted data implies (no row to point at).
TABLE_LEVEL_FAILURES = {
    "record.province_code.coverage",  # R012's code was the only "31"
    "pair.columns_present",
    "pair.row_count",
    "pair.province_code.coverage",
    "absent.columns_present",
    "_r57_delivery.extracted_at.fresh",
}
GROUP_FAILURES = {"record.primary_key_unique", "record.natural_key_unique", "pair.primary_key_unique"}
PAIR_ROW_FAILURES = {"pair.b_code.present", "pair.required_not_delivered.present"}


def _expected_failing_rows() -> dict[str, set[str]]:
    expected: dict[str, set[str]] = {}
    for record_id, checks in PLANTED.items():
        for check in checks:
            expected.setdefault(check, set()).add(record_id)
    return expected


@pytest.mark.parametrize(("record_id", "check_id"), sorted((r, c) for r, cs in PLANTED.items() for c in cs))
def test_planted_defect_is_caught_by_its_check(record_id, check_id, onepass_outcomes, failing_records):
    outcome = onepass_outcomes[check_id]
    assert outcome.success is False
    assert record_id in failing_records[check_id]


def test_no_check_fails_on_a_clean_record(failing_records):
    expected = _expected_failing_rows()
    for check_id, rows in failing_records.items():
        if check_id.startswith("record.") and check_id not in GROUP_FAILURES:
            assert set(rows) == expected.get(check_id, set()), check_id


def test_exactly_the_expected_checks_fail(onepass_outcomes):
    failed = {c for c, o in onepass_outcomes.items() if o.success is False}
    assert failed == set(_expected_failing_rows()) | TABLE_LEVEL_FAILURES | GROUP_FAILURES | PAIR_ROW_FAILURES


def test_duplicates_count_rows_beyond_the_first(onepass_outcomes, failing_records):
    pk = onepass_outcomes["record.primary_key_unique"]
    assert (pk.unexpected_count, pk.observed_value) == (1, {"duplicate_rows": 1, "considered_count": 40})
    assert failing_records["record.primary_key_unique"] == [DUPLICATE_PK]
    natural = onepass_outcomes["record.natural_key_unique"]
    # R032 has no birth date: not considered; R028 and R029 are one person after normalisation.
    assert (natural.unexpected_count, natural.considered_count) == (1, 39)
    assert failing_records["record.natural_key_unique"] == [NATURAL_DUPLICATE[1]]
    compound = onepass_outcomes["pair.primary_key_unique"]
    assert (compound.unexpected_count, compound.considered_count, compound.element_count) == (1, 3, 4)


def test_table_level_counts(onepass_outcomes):
    columns = onepass_outcomes["pair.columns_present"]
    assert (columns.element_count, columns.unexpected_count) == (6, 2)
    assert columns.observed_value == {"missing": ["not_delivered", "required_not_delivered"]}
    rows = onepass_outcomes["pair.row_count"]
    assert (rows.element_count, rows.unexpected_count, rows.observed_value) == (10, 6, 4)
    coverage = onepass_outcomes["record.province_code.coverage"]
    assert (coverage.element_count, coverage.unexpected_count, coverage.observed_value) == (34, 1, {"missing": ["31"]})
    assert onepass_outcomes["record.row_count"].success is True


def test_undelivered_table_fails_columns_present_and_leaves_the_rest_unevaluated(onepass_outcomes):
    absent = {c: o for c, o in onepass_outcomes.items() if c.startswith("absent.")}
    assert absent.pop("absent.columns_present").observed_value == {"missing": ["id"], "table_missing": True}
    assert absent and all(o.success is None and o.element_count == 0 for o in absent.values())


def test_missing_column_fails_its_sufficient_rules_only(onepass_outcomes, failing_records):
    present = onepass_outcomes["pair.required_not_delivered.present"]
    assert (present.success, present.element_count, present.unexpected_count) == (False, 4, 4)
    assert present.observed_value == {"missing_columns": ["required_not_delivered"]}
    assert len(failing_records["pair.required_not_delivered.present"]) == 4
    # The other dimensions are not charged twice for one missing column.
    for check_id in ("pair.required_not_delivered.whitespace", "pair.not_delivered.nfc", "pair.not_delivered.mojibake"):
        outcome = onepass_outcomes[check_id]
        assert (outcome.success, outcome.element_count) == (None, 0), check_id
        assert outcome.observed_value["not_evaluated"].startswith("column not delivered")


def test_master_table_not_delivered_is_not_evaluated(tmp_path):
    path = build_warehouse(tmp_path / "w.duckdb")
    con = duckdb.connect(str(path))
    try:
        con.execute("DROP TABLE raw_population.citizen")
        outcomes = {o.check_id: o for o in validate_database(con, TESTDB, PARAMETERS)}
    finally:
        con.close()
    for check_id in ("record.personal_id.in_master", "record.full_name.agrees_with_master"):
        assert outcomes[check_id].success is None
        assert outcomes[check_id].observed_value == {"not_evaluated": "master table raw_population.citizen not delivered"}
    assert outcomes["record.personal_id.valid_format"].success is False  # the rest still runs


class RecordingConnection:
    """A DuckDB connection that keeps every SQL statement it is given."""

    def __init__(self, con):
        self.con, self.statements = con, []

    def execute(self, sql, parameters=None):
        self.statements.append(sql)
        return self.con.execute(sql, parameters) if parameters is not None else self.con.execute(sql)


def test_all_counts_of_a_table_come_from_one_pass_plus_one_master_join(warehouse, testdb_suites):
    con = duckdb.connect(str(warehouse))
    try:
        recorder = RecordingConnection(con)
        outcomes = validate_table(recorder, "raw_testdb", "record", testdb_suites["testdb.record"], PARAMETERS)
    finally:
        con.close()
    scans = [s for s in recorder.statements if '"raw_testdb"."record"' in s]
    assert len(scans) == 2  # one aggregate SELECT, one LEFT JOIN against the master keys
    # The table is read once, under the subqueries that compute each shared per-row value once
    # (validation/shared_work.py); its only join is the commune list's hash lookup (validation/reference.py).
    assert scans[0].count('"raw_testdb"."record"') == 1
    assert scans[0].count("FROM") == 1 + scans[0].count("SELECT *, ") > 1
    shared = re.findall(r"AS (_r57_s\d+)", scans[0])
    assert shared and all(f't."{name}"' in scans[0] or f"t.{name}" in scans[0] for name in shared)
    assert scans[0].count("JOIN") == scans[0].count('LEFT JOIN "r57_ref_communes"') == 1
    assert "LEFT JOIN" in scans[1] and scans[1].count('"raw_population"."citizen"') == 1
    assert len(outcomes) == len(testdb_suites["testdb.record"]["expectations"])


def test_failing_rows_sql_is_sqlglot_with_quoted_identifiers(onepass_outcomes):
    query = onepass_outcomes["record.full_name.nfc"].failing_rows_sql()
    assert isinstance(query, exp.Select)
    sql = query.sql("duckdb")
    assert sql.startswith('SELECT t.* FROM "raw_testdb"."record" AS t') and '"full_name"' in sql


def test_failing_rows_of_duplicates_keep_the_first_row(onepass_outcomes):
    sql = onepass_outcomes["record.primary_key_unique"].failing_rows_sql().sql("duckdb")
    assert "QUALIFY ROW_NUMBER() OVER (PARTITION BY" in sql and 'ORDER BY t."rowid"' in sql


def test_table_level_expectations_have_no_failing_rows(onepass_outcomes):
    with pytest.raises(ValueError, match="no failing rows"):
        onepass_outcomes["record.row_count"].failing_rows_sql()


def test_identifiers_are_quoted_not_formatted(testdb_suites):
    expectation = {
        "type": "expect_column_values_to_not_be_blank",
        "kwargs": {"column": 'we"ird; DROP TABLE x'},
        "meta": {"check_id": "x", "dimension": "sufficient", "severity": "minor"},
    }
    sql = failing_rows_sql("raw_testdb", "record", expectation).sql("duckdb")
    assert '"we""ird; DROP TABLE x"' in sql


def test_missing_parameter_is_an_error(warehouse, testdb_suites):
    params = {k: v for k, v in PARAMETERS.items() if k != "as_of_date"}
    con = duckdb.connect(str(warehouse))
    try:
        with pytest.raises(MissingParameterError, match="as_of_date"):
            validate_table(con, "raw_testdb", "record", testdb_suites["testdb.record"], params)
    finally:
        con.close()


def test_recent_share_threshold_is_a_parameter(warehouse, testdb_suites):
    con = duckdb.connect(str(warehouse))
    try:
        lenient = validate_table(con, "raw_testdb", "record", testdb_suites["testdb.record"], {**PARAMETERS, "recent_share": 0.9})
    finally:
        con.close()
    recent = next(o for o in lenient if o.check_id == "record.updated_at.recent")
    assert (recent.unexpected_count, recent.success) == (1, True)  # 38 of 39 parseable values are recent


def test_fresh_extract_passes(tmp_path):
    path = build_warehouse(tmp_path / "w.duckdb", extracted_at="2025-12-03 23:00:00+07")
    con = duckdb.connect(str(path))
    try:
        outcomes = validate_database(con, TESTDB, PARAMETERS)
    finally:
        con.close()
    fresh = next(o for o in outcomes if o.check_id == "_r57_delivery.extracted_at.fresh")
    assert (fresh.dimension, fresh.severity, fresh.success) == ("live", "critical", True)


@pytest.mark.parametrize(
    ("value", "as_type", "expected"),
    [
        ("2024-02-29", "date", True),
        ("2023-02-29", "date", False),
        ("29/02/2024", "date", True),
        ("0000-01-01", "date", False),
        ("2024-1-5", "date", False),
        ("2025-11-01T10:00:00+07:00", "timestamp", True),
        ("2025-11-01 10:00:00Z", "timestamp", True),
        ("2025-11-01T10:00:00", "timestamp", False),  # no offset: ambiguous
        ("1.5e3", "number", True),
        ("1,5", "number", False),
        (" 1", "number", False),
    ],
)
def test_parse_rules_match_the_python_reference(value, as_type, expected):
    from r57_pipelines.validation import rules

    con = duckdb.connect()
    try:
        sql = exp.select(onepass.parsed(onepass.lit(value), as_type).is_(exp.null()).not_()).sql("duckdb")
        assert con.execute(sql).fetchone()[0] is expected
    finally:
        con.close()
    assert (rules.parse(value, as_type) is not None) is expected
