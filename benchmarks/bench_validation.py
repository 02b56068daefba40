"""Validation speed: r57's one-pass validator against one hand-written DuckDB query and against GX.

Generates a DuckDB table of 14 VARCHAR columns (every column kind r57 checks, with planted defects; real
communes of the official list, with nonexistent, merged and other-province codes and addresses naming
another commune),
builds its suite from a contract exactly as ``r57 suites`` does (no master data: GX's pandas engine cannot
read a second table), and times four ways of computing the same counts:

  baseline   one hand-written DuckDB query, every unexpected count in a single pass
  onepass    r57_pipelines.validation.onepass.validate_table (sqlglot-compiled, one pass)
  gx_sql     Great Expectations 1.24 SQL engine on DuckDB through r57's adapter (gx.gx_duckdb.run_gx)
  gx_pandas  Great Expectations on pandas, table loaded through Arrow (load time reported apart); r57's
             own types evaluate their one-pass condition with DuckDB over the DataFrame (gx.custom_expectations)

Every run is its own subprocess (so a method's peak RSS is its own), the methods are interleaved (on a
shared machine a burst of load then hits all of them alike), each runs ``--repeat`` times and the median
is reported, as wall seconds and as the process's CPU seconds (less sensitive to other load). A method
whose first run takes longer than ``--slow-seconds`` is not repeated (the table says how many runs it
had). The counts of every method are compared with the one-pass counts.

    .venv/bin/python benchmarks/bench_validation.py --rows 1000000,5000000 --repeat 3

``--suite core`` (the default is ``--suite contract``, the suite above) benchmarks a hand-authored suite of
GX Core expectations instead (``core_suite``: 40 expectations of 32 types, none of r57's own, over the
typed table ``raw_bench.orders``: BIGINT/INTEGER ids, DOUBLE amounts, INTEGER quantities, DATEs, a
TIMESTAMP, short codes, categories, emails and phones, a nullable note, a start/end date pair; with planted
nulls, out-of-range values, duplicates and bad codes). Its methods are ``baseline`` (``core_baseline``: one
hand-written DuckDB query, plus the duplicate-group queries GX's uniqueness needs), ``onepass`` and
``gx_sql``; every method's ``success`` (and, for row-level checks, ``unexpected_count``) is compared with
the one-pass result, per expectation.

    .venv/bin/python benchmarks/bench_validation.py --suite core --rows 5000000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCHEMA, TABLE = "raw_bench", "person"
METHODS = ("baseline", "onepass", "gx_sql", "gx_pandas")
PARAMETERS = {
    "as_of_date": "2025-12-04",
    "as_of": "2025-12-04T23:59:59+07:00",
    "recent_since": "2024-12-04T23:59:59+07:00",
    "recent_share": 0.2,
    "extracted_since": "2025-11-24T23:59:59+07:00",
    "min_rows": 0,
}


def bench_database():
    from r57_pipelines.registry import Database

    return Database.model_validate(
        {
            "id": "bench",
            "name_vi": "Cơ sở dữ liệu đo tốc độ",
            "name_en": "Benchmark database",
            "ministry": "MPS",
            "programme": "r71",
            "domain": "bench",
            "deadline": "2025-12-31",
            "cadence": "weekly",
            "expected_rows": 5_000_000,
            "contract": {
                "tables": [
                    {
                        "name": TABLE,
                        "primary_key": ["record_id"],
                        "natural_key": ["full_name", "birth_date"],
                        "columns": [
                            {"name": "record_id", "kind": "code", "required": True},
                            {"name": "personal_id", "kind": "personal_id", "required": True},
                            {"name": "full_name", "kind": "person_name", "required": True},
                            {"name": "birth_date", "kind": "birth_date", "required": True},
                            {"name": "sex", "kind": "sex", "required": True},
                            {"name": "province_code", "kind": "province_code", "required": True},
                            {"name": "commune_code", "kind": "commune_code"},
                            {"name": "address", "kind": "address"},
                            {"name": "phone", "kind": "phone"},
                            {"name": "tax_code", "kind": "tax_code"},
                            {"name": "plate", "kind": "plate"},
                            {"name": "registered_on", "kind": "date"},
                            {"name": "amount", "kind": "amount"},
                            {"name": "updated_at", "kind": "updated_at", "required": True},
                        ],
                    }
                ]
            },
        }
    )


def bench_suite() -> dict:
    from r57_pipelines.validation.suites import build_table_suite

    database = bench_database()
    return build_table_suite(database, database.contract.table(TABLE))


# ---------------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------------


def _sql_list(values) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def generate(path: Path, rows: int) -> None:
    """Write raw_bench.person with ``rows`` rows (about 0.1-0.5 % defects per rule, some NULLs)."""
    import duckdb

    from r57_pipelines.domain.communes import current_communes
    from r57_pipelines.domain.provinces import current_province_codes, old_province_codes, province_name
    from r57_pipelines.domain.text import to_tcvn3_mojibake

    family = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
    middle = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Xuân", "Thu"]
    given = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh",
             "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Ngọc", "Nhung", "Phong", "Phúc", "Phương", "Quân",
             "Quyên", "Sơn", "Tâm", "Thảo", "Thắng", "Thành", "Thủy", "Trang", "Trung", "Tuấn", "Tú", "Vân", "Việt",
             "Yến"]
    letters = list("ABCDEFGHKLMNPSTUVXYZ")
    ppp = ["0" + c for c in sorted(old_province_codes())]
    provinces = sorted(current_province_codes())
    # Real communes (official list): row i lies in commune i % 3321, in that commune's province.
    communes = [current_communes()[c] for c in sorted(current_communes())]
    commune_codes, commune_provinces = [c.code for c in communes], [c.province for c in communes]
    commune_places = [f"{c.kind.lower()} {c.name}, {province_name(c.province)}" for c in communes]
    nfd_name = unicodedata.normalize("NFD", "Nguyễn Thị Hương")
    mojibake = to_tcvn3_mojibake("Trần Văn Đức")
    weights = (31, 29, 23, 19, 17, 13, 7, 5, 3)
    weighted = " + ".join(f"{w} * CAST(substr(b9, {k + 1}, 1) AS INTEGER)" for k, w in enumerate(weights))
    con = duckdb.connect(str(path))
    con.execute("SET threads = 2")
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {SCHEMA}.{TABLE} AS
        WITH base AS (
            SELECT i,
                   CASE WHEN i % 2 = 0 THEN 'Nam' ELSE 'Nữ' END AS sex_value,
                   1940 + CAST(i % 80 AS INTEGER) AS y, 1 + CAST(i % 12 AS INTEGER) AS m, 1 + CAST(i % 28 AS INTEGER) AS d,
                   lpad(CAST((i * 7919) % 1000000000 AS VARCHAR), 9, '0') AS b9,
                   1 + CAST(i % {len(communes)} AS INTEGER) AS k, 1 + CAST((i + 1500) % {len(communes)} AS INTEGER) AS k2
            FROM range({rows}) r(i)
        ), coded AS (
            SELECT *, 10 - ({weighted}) % 11 AS check_digit,
                   (y // 100 - 19) * 2 + CASE WHEN sex_value = 'Nữ' THEN 1 ELSE 0 END AS g
            FROM base
        )
        SELECT
            'R' || lpad(CAST(CASE WHEN i % 1000 = 7 THEN i - 1 ELSE i END AS VARCHAR), 10, '0') AS record_id,
            CASE WHEN i % 500 = 3 THEN '12345'
                 ELSE {_sql_list(ppp)}[1 + CAST(i % 63 AS INTEGER)]
                      || CAST(CASE WHEN i % 501 = 5 THEN (g + 1) % 6 ELSE g END AS VARCHAR)
                      || lpad(CAST(y % 100 AS VARCHAR), 2, '0') || lpad(CAST(i % 1000000 AS VARCHAR), 6, '0') END
                AS personal_id,
            CASE WHEN i % 211 = 1 THEN 'Nguyễn  Văn   An '
                 WHEN i % 307 = 2 THEN '{nfd_name}'
                 WHEN i % 401 = 3 THEN '{mojibake}'
                 WHEN i % 2003 = 4 THEN ''
                 ELSE {_sql_list(family)}[1 + CAST(i % 14 AS INTEGER)] || ' '
                      || {_sql_list(middle)}[1 + CAST((i // 14) % 10 AS INTEGER)] || ' '
                      || {_sql_list(given)}[1 + CAST((i // 140) % 40 AS INTEGER)] END AS full_name,
            CASE WHEN i % 331 = 4 THEN printf('%02d/%02d/%04d', d, m, y)
                 WHEN i % 997 = 5 THEN '1985-02-30'
                 WHEN i % 1009 = 6 THEN '2030-01-01'
                 ELSE printf('%04d-%02d-%02d', y, m, d) END AS birth_date,
            CASE WHEN i % 613 = 7 THEN 'M' ELSE sex_value END AS sex,
            CASE WHEN i % 257 = 8 THEN '02' ELSE {_sql_list(commune_provinces)}[k] END AS province_code,
            CASE WHEN i % 709 = 9 THEN '123' WHEN i % 719 = 10 THEN '99999' WHEN i % 727 = 11 THEN '00001'
                 WHEN i % 733 = 12 THEN {_sql_list(commune_codes)}[k2]
                 ELSE {_sql_list(commune_codes)}[k] END AS commune_code,
            CASE WHEN i % 50 = 0 THEN NULL WHEN i % 809 = 10 THEN 'KHÔNG CÓ'
                 ELSE 'Số ' || CAST(i % 500 AS VARCHAR) || ' đường Lê Lợi, '
                      || {_sql_list(commune_places)}[CASE WHEN i % 739 = 13 THEN k2 ELSE k END] END AS address,
            CASE WHEN i % 10 = 1 THEN NULL
                 WHEN i % 401 = 11 THEN '+84 3' || lpad(CAST(i % 100000000 AS VARCHAR), 8, '0')
                 WHEN i % 503 = 12 THEN '0112345678'
                 ELSE '03' || lpad(CAST(i % 100000000 AS VARCHAR), 8, '0') END AS phone,
            CASE WHEN check_digit = 10 THEN NULL
                 WHEN i % 601 = 13 THEN b9 || CAST((check_digit + 1) % 10 AS VARCHAR)
                 ELSE b9 || CAST(check_digit AS VARCHAR) END AS tax_code,
            lpad(CAST(30 + i % 60 AS VARCHAR), 2, '0')
                || CASE WHEN i % 701 = 14 THEN 'I' ELSE {_sql_list(letters)}[1 + CAST(i % 20 AS INTEGER)] END
                || '-' || lpad(CAST(i % 1000 AS VARCHAR), 3, '0') || '.' || lpad(CAST(i % 100 AS VARCHAR), 2, '0') AS plate,
            CASE WHEN i % 907 = 15 THEN '2024/01/05'
                 ELSE strftime(DATE '2000-01-01' + CAST(i % 9000 AS INTEGER), '%Y-%m-%d') END AS registered_on,
            CASE WHEN i % 809 = 16 THEN '-5' WHEN i % 811 = 17 THEN '1,5'
                 ELSE CAST((i % 100000) / 10.0 AS VARCHAR) END AS amount,
            CASE WHEN i % 1013 = 18 THEN '2025-11-01 10:00:00'
                 WHEN i % 1019 = 19 THEN '2026-06-01T00:00:00+07:00'
                 ELSE strftime(TIMESTAMP '2023-06-01 08:00:00' + to_days(CAST(i % 900 AS INTEGER)), '%Y-%m-%dT%H:%M:%S')
                      || '+07:00' END AS updated_at
        FROM coded
        """
    )
    con.close()


# ---------------------------------------------------------------------------------------------------
# (a) The hand-written single pass: every rule of the suite as one DuckDB expression, written out.
# ---------------------------------------------------------------------------------------------------


def _q(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def baseline_sql() -> tuple[str, list[str]]:
    """One SELECT; column i is the unexpected count of check_ids[i] (duplicates: rows beyond the first)."""
    from r57_pipelines.validation import rules

    ws, blank, messy = _q(rules.WS + "+"), _q(rules.BLANK_REGEX), _q(rules.MESSY_WHITESPACE_REGEX)
    # Long value lists as constant MAP lookups (a hash probe), as a careful hand-writer would after profiling.
    placeholder_map = "MAP([" + ", ".join(_q(v) for v in rules.placeholder_values()) + "], [" + ", ".join(
        "true" for _ in rules.placeholder_values()) + "])"
    province_map = "MAP([" + ", ".join(_q(v) for v in rules.province_codes()) + "], [" + ", ".join(
        "true" for _ in rules.province_codes()) + "])"

    # The official commune list: one LEFT JOIN against the reference table (validation/reference.py makes it
    # on the connection), a hash probe per row; current units carry their province and names.
    current = "ref.status = 'current'"
    province_of = f"CASE WHEN {current} THEN ref.province END"
    name_of, province_name_of = f"CASE WHEN {current} THEN ref.name END", f"CASE WHEN {current} THEN ref.province_name END"

    def norm(c: str) -> str:  # collapse whitespace only where there is any to collapse
        return f"CASE WHEN regexp_matches({c}, {messy}) THEN trim(regexp_replace(nfc_normalize({c}), {ws}, ' ', 'g')) ELSE nfc_normalize({c}) END"

    def date(c: str) -> str:
        return (
            f"CAST(CASE WHEN regexp_matches({c}, '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$') AND substr({c}, 1, 4) <> '0000' "
            f"THEN try_strptime({c}, '%Y-%m-%d') WHEN regexp_matches({c}, '^[0-9]{{2}}/[0-9]{{2}}/[0-9]{{4}}$') "
            f"AND substr({c}, 7, 4) <> '0000' THEN try_strptime({c}, '%d/%m/%Y') END AS DATE)"
        )

    def ts(c: str) -> str:
        return f"CASE WHEN regexp_matches({c}, {_q(rules.TIMESTAMP_REGEX)}) THEN TRY_CAST({c} AS TIMESTAMPTZ) END"

    def num(c: str) -> str:
        return f"CASE WHEN regexp_matches({c}, {_q(rules.NUMBER_REGEX)}) THEN TRY_CAST({c} AS DOUBLE) END"

    def blank_(c: str) -> str:
        return f"count_if({c} IS NULL OR regexp_matches({c}, {blank}))"

    def bad(c: str, condition: str) -> str:  # a NULL is never unexpected for a format rule
        return f"count_if({c} IS NOT NULL AND NOT ({condition}))"

    tax = "tax_code"
    tax_sum = " + ".join(f"{w} * TRY_CAST(substr({tax}, {k + 1}, 1) AS INTEGER)" for k, w in enumerate(rules.TAX_CODE_WEIGHTS))
    tax_ok = (
        f"CASE WHEN regexp_matches({tax}, {_q(rules.TAX_CODE_FULL_REGEX)}) AND substr({tax}, 3, 7) <> '0000000' "
        f"AND substr({tax}, 12, 3) <> '000' THEN 10 - ({tax_sum}) % 11 <> 10 "
        f"AND TRY_CAST(substr({tax}, 10, 1) AS INTEGER) = 10 - ({tax_sum}) % 11 ELSE false END"
    )
    sex_n, born = norm("sex"), date("birth_date")
    year = f"strftime({born}, '%Y')"
    female = f"({sex_n} = 'Nữ')"
    digit = (
        f"CASE substr({year}, 1, 2) WHEN '19' THEN CASE WHEN {female} THEN '1' ELSE '0' END "
        f"WHEN '20' THEN CASE WHEN {female} THEN '3' ELSE '2' END WHEN '21' THEN CASE WHEN {female} THEN '5' ELSE '4' END END"
    )
    judged = f"regexp_matches(personal_id, {_q(rules.PERSONAL_ID_FULL_REGEX)}) AND {sex_n} IN ('Nam', 'Nữ') AND {born} IS NOT NULL"
    agrees = f"coalesce(substr(personal_id, 4, 1) = {digit} AND substr(personal_id, 5, 2) = substr({year}, 3, 2), false)"
    natural = f"lower({norm('full_name')}), lower({norm('birth_date')})"

    checks = {
        "person.columns_present": "0",
        "person.row_count": "0",
        "person.record_id.present": blank_("record_id"),
        "person.record_id.whitespace": bad("record_id", f"NOT regexp_matches(record_id, {messy})"),
        "person.record_id.not_placeholder": bad("record_id", f"NOT map_contains({placeholder_map}, lower({norm('record_id')}))"),
        "person.personal_id.present": blank_("personal_id"),
        "person.personal_id.valid_format": bad("personal_id", f"regexp_matches(personal_id, {_q(rules.PERSONAL_ID_FULL_REGEX)})"),
        "person.personal_id.not_placeholder": bad("personal_id", f"NOT map_contains({placeholder_map}, lower({norm('personal_id')}))"),
        "person.full_name.present": blank_("full_name"),
        "person.full_name.nfc": bad("full_name", "nfc_normalize(full_name) = full_name"),
        "person.full_name.mojibake": bad("full_name", f"NOT regexp_matches(nfc_normalize(full_name), {_q(rules.MOJIBAKE)})"),
        "person.full_name.whitespace": bad("full_name", f"NOT regexp_matches(full_name, {messy})"),
        "person.full_name.not_placeholder": bad("full_name", f"NOT map_contains({placeholder_map}, lower({norm('full_name')}))"),
        "person.birth_date.present": blank_("birth_date"),
        "person.birth_date.valid_date": bad("birth_date", f"{date('birth_date')} IS NOT NULL"),
        "person.birth_date.in_range": bad(
            "birth_date", f"{date('birth_date')} IS NULL OR {date('birth_date')} BETWEEN DATE '1900-01-01' AND DATE '2025-12-04'"
        ),
        "person.birth_date.iso_format": bad("birth_date", "regexp_matches(birth_date, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$')"),
        "person.sex.present": blank_("sex"),
        "person.sex.valid_value": bad("sex", "sex IN ('Nam', 'Nữ')"),
        "person.province_code.present": blank_("province_code"),
        "person.province_code.current_province": bad("province_code", f"map_contains({province_map}, province_code)"),
        "person.province_code.coverage": f"34 - count(DISTINCT province_code) FILTER (WHERE map_contains({province_map}, province_code))",
        "person.commune_code.in_official_list": bad("commune_code", "ref.code IS NOT NULL"),
        "person.commune_code.not_merged": bad("commune_code", "ref.status IS DISTINCT FROM 'merged'"),
        "person.commune_code.not_placeholder": bad("commune_code", f"NOT map_contains({placeholder_map}, lower({norm('commune_code')}))"),
        "person.address.nfc": bad("address", "nfc_normalize(address) = address"),
        "person.address.mojibake": bad("address", f"NOT regexp_matches(nfc_normalize(address), {_q(rules.MOJIBAKE)})"),
        "person.address.whitespace": bad("address", f"NOT regexp_matches(address, {messy})"),
        "person.address.not_placeholder": bad("address", f"NOT map_contains({placeholder_map}, lower({norm('address')}))"),
        "person.phone.valid_mobile": bad(
            "phone", f"regexp_matches(regexp_replace(phone, {_q(rules.PHONE_STRIP_REGEX)}, '', 'g'), {_q(rules.phone_regex())})"
        ),
        "person.phone.national_form": bad("phone", "regexp_matches(phone, '^0[0-9]{9}$')"),
        "person.phone.not_placeholder": bad("phone", f"NOT map_contains({placeholder_map}, lower({norm('phone')}))"),
        "person.tax_code.valid_tax_code": bad("tax_code", tax_ok),
        "person.tax_code.not_placeholder": bad("tax_code", f"NOT map_contains({placeholder_map}, lower({norm('tax_code')}))"),
        "person.plate.valid_format": bad("plate", f"regexp_matches(plate, {_q(rules.PLATE_FULL_REGEX)})"),
        "person.plate.not_placeholder": bad("plate", f"NOT map_contains({placeholder_map}, lower({norm('plate')}))"),
        "person.registered_on.valid_date": bad("registered_on", f"{date('registered_on')} IS NOT NULL"),
        "person.registered_on.in_range": bad(
            "registered_on",
            f"{date('registered_on')} IS NULL OR {date('registered_on')} BETWEEN DATE '1900-01-01' AND DATE '2025-12-04'",
        ),
        "person.registered_on.iso_format": bad("registered_on", "regexp_matches(registered_on, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$')"),
        "person.amount.valid_number": bad("amount", f"{num('amount')} IS NOT NULL"),
        "person.amount.non_negative": bad("amount", f"{num('amount')} IS NULL OR {num('amount')} >= 0"),
        "person.updated_at.present": blank_("updated_at"),
        "person.updated_at.valid_timestamp": bad("updated_at", f"{ts('updated_at')} IS NOT NULL"),
        "person.updated_at.in_range": bad(
            "updated_at",
            f"{ts('updated_at')} IS NULL OR {ts('updated_at')} BETWEEN TIMESTAMPTZ '1900-01-01T00:00:00+00:00' "
            "AND TIMESTAMPTZ '2025-12-04T23:59:59+07:00'",
        ),
        "person.updated_at.iso_format": bad("updated_at", f"regexp_matches(updated_at, {_q(rules.CANONICAL_TIMESTAMP_REGEX)})"),
        "person.updated_at.recent": bad(
            "updated_at", f"{ts('updated_at')} IS NULL OR {ts('updated_at')} >= TIMESTAMPTZ '2024-12-04T23:59:59+07:00'"
        ),
        "person.personal_id_agrees": f"count_if(personal_id IS NOT NULL AND sex IS NOT NULL AND birth_date IS NOT NULL "
        f"AND ({judged}) AND NOT {agrees})",
        "person.commune_code.in_province": f"count_if(commune_code IS NOT NULL AND province_code IS NOT NULL "
        f"AND map_contains({province_map}, province_code) AND {province_of} <> province_code)",
        "person.address.names_commune": f"count_if(address IS NOT NULL AND {name_of} IS NOT NULL "
        f"AND NOT map_contains({placeholder_map}, lower({norm('address')})) "
        f"AND NOT regexp_matches(nfc_normalize(address), {_q(rules.MOJIBAKE)}) "
        f"AND NOT (contains(lower({norm('address')}), {name_of}) AND contains(lower({norm('address')}), {province_name_of})))",
        "person.primary_key_unique": "count(record_id) - count(DISTINCT record_id)",
        "person.natural_key_unique": f"count_if(full_name IS NOT NULL AND birth_date IS NOT NULL) - count(DISTINCT "
        f"CASE WHEN full_name IS NOT NULL AND birth_date IS NOT NULL THEN row({natural}) END)",
    }
    ids = list(checks)
    sql = "SELECT " + ",\n       ".join(f"{e} AS c{i}" for i, e in enumerate(checks.values())) + (
        f" FROM {SCHEMA}.{TABLE} LEFT JOIN r57_ref_communes ref ON ref.code = {TABLE}.commune_code"
    )
    return sql, ids


# ---------------------------------------------------------------------------------------------------
# --suite core: a hand-authored suite of GX Core expectations over a typed table
# ---------------------------------------------------------------------------------------------------

CORE_TABLE = "orders"
CORE_METHODS = ("baseline", "onepass", "gx_sql")
CORE_COLUMNS = [
    "order_id", "customer_id", "status", "currency", "country_code", "billing_country", "amount", "quantity",
    "pct_online", "pct_store", "order_date", "created_at", "start_date", "end_date", "email", "phone", "note",
]
CORE_STATUSES = ["new", "paid", "shipped", "delivered", "cancelled"]
CORE_COUNTRIES = ["VN", "TH", "SG", "MY", "ID", "PH", "US", "JP"]
EMAIL_REGEX = r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$"
PHONE_REGEXES = [r"^0[0-9]{9}$", r"^\+84[0-9]{9}$"]
PHONE_ANY_REGEX = r"^(0[0-9]{9}|\+84[0-9]{9})$"  # the baseline's one alternation of both
SCRIPT_REGEX = r"(?i)<script"
QUANTILES = {"quantiles": [0.25, 0.5, 0.75], "value_ranges": [[300, 700], [800, 1200], [1300, 1700]]}


def core_suite() -> dict:
    """40 GX Core expectations (32 types), each with meta check_id / dimension / severity.

    Bounds are chosen so that the verdicts do not depend on the row count (the planted defects are
    periodic): some checks fail (duplicates, bad codes, out-of-range values), the others pass.
    """

    def x(kind: str, check: str, dimension: str, severity: str, **kwargs) -> dict:
        return {"type": f"expect_{kind}", "kwargs": kwargs,
                "meta": {"check_id": f"{CORE_TABLE}.{check}", "dimension": dimension, "severity": severity}}

    expectations = [
        x("table_row_count_to_be_between", "row_count", "sufficient", "critical", min_value=1, max_value=1_000_000_000),
        x("table_column_count_to_equal", "column_count", "sufficient", "critical", value=len(CORE_COLUMNS)),
        x("table_columns_to_match_ordered_list", "column_order", "sufficient", "major", column_list=CORE_COLUMNS),
        x("column_to_exist", "created_at.exists", "sufficient", "major", column="created_at"),
        x("column_values_to_be_unique", "order_id.unique", "clean", "critical", column="order_id"),
        x("column_values_to_be_unique", "email.unique", "clean", "minor", column="email", mostly=0.99),
        x("compound_columns_to_be_unique", "customer_day.unique", "clean", "major",
          column_list=["customer_id", "order_date"]),
        x("column_values_to_not_be_null", "order_id.not_null", "sufficient", "critical", column="order_id"),
        x("column_values_to_not_be_null", "customer_id.not_null", "sufficient", "critical", column="customer_id"),
        x("column_values_to_not_be_null", "amount.not_null", "sufficient", "major", column="amount", mostly=0.95),
        x("column_values_to_not_be_null", "email.not_null", "sufficient", "minor", column="email", mostly=0.99),
        x("column_values_to_not_be_null", "order_date.not_null", "sufficient", "major", column="order_date"),
        x("column_values_to_be_null", "note.mostly_null", "correct", "minor", column="note", mostly=0.8),
        x("column_values_to_be_between", "amount.positive", "correct", "critical", column="amount",
          min_value=0, max_value=10000, strict_min=True),
        x("column_values_to_be_between", "quantity.range", "correct", "major", column="quantity",
          min_value=1, max_value=100, mostly=0.99),
        x("column_values_to_be_between", "amount.range_when_ordered", "correct", "major", column="amount",
          min_value=1, max_value=10000, mostly=0.995,
          row_condition={"type": "comparison", "column": {"name": "quantity"}, "operator": ">=", "parameter": 1}),
        x("column_values_to_be_between", "created_at.range", "correct", "major", column="created_at",
          min_value="2022-01-01 00:00:00", max_value="2024-12-31 23:59:59", mostly=0.999),
        x("column_values_to_be_in_set", "status.valid", "correct", "major", column="status", value_set=CORE_STATUSES),
        x("column_values_to_not_be_in_set", "currency.not_test", "correct", "major", column="currency",
          value_set=["XXX", "TEST"]),
        x("column_value_lengths_to_be_between", "phone.length", "correct", "minor", column="phone",
          min_value=10, max_value=12),
        x("column_value_lengths_to_equal", "country_code.length", "correct", "major", column="country_code", value=2),
        x("column_values_to_match_regex", "email.format", "correct", "minor", column="email", regex=EMAIL_REGEX),
        x("column_values_to_not_match_regex", "note.no_script", "correct", "critical", column="note",
          regex=SCRIPT_REGEX),
        x("column_values_to_match_regex_list", "phone.format", "correct", "minor", column="phone",
          regex_list=PHONE_REGEXES, match_on="any"),
        x("column_values_to_match_like_pattern", "email.like", "correct", "minor", column="email",
          like_pattern="%@%.%"),
        x("column_pair_values_a_to_be_greater_than_b", "period.ordered", "correct", "major",
          column_A="end_date", column_B="start_date"),
        x("column_pair_values_to_be_equal", "billing_country.same", "correct", "minor",
          column_A="billing_country", column_B="country_code", mostly=0.99),
        x("multicolumn_sum_to_equal", "channel_shares.sum", "correct", "major",
          column_list=["pct_online", "pct_store"], sum_total=100),
        x("select_column_values_to_be_unique_within_record", "period.distinct_days", "correct", "minor",
          column_list=["start_date", "end_date"]),
        x("column_min_to_be_between", "order_date.min", "correct", "major", column="order_date",
          min_value="2021-01-01", max_value="2022-06-30"),
        x("column_max_to_be_between", "quantity.max", "correct", "major", column="quantity", min_value=1, max_value=100),
        x("column_mean_to_be_between", "amount.mean", "correct", "minor", column="amount", min_value=500, max_value=1500),
        x("column_median_to_be_between", "amount.median", "correct", "minor", column="amount",
          min_value=500, max_value=1500),
        x("column_sum_to_be_between", "quantity.sum", "correct", "minor", column="quantity", min_value=0),
        x("column_stdev_to_be_between", "amount.stdev", "correct", "minor", column="amount", min_value=100,
          max_value=1000),
        x("column_quantile_values_to_be_between", "amount.quantiles", "correct", "minor", column="amount",
          quantile_ranges=QUANTILES),
        x("column_unique_value_count_to_be_between", "status.cardinality", "correct", "minor", column="status",
          min_value=3, max_value=10),
        x("column_proportion_of_unique_values_to_be_between", "order_id.unique_share", "clean", "major",
          column="order_id", min_value=0.99, max_value=1),
        x("column_most_common_value_to_be_in_set", "currency.mode", "correct", "minor", column="currency",
          value_set=["VND"]),
        x("column_distinct_values_to_be_in_set", "country_code.known", "correct", "major", column="country_code",
          value_set=CORE_COUNTRIES),
    ]
    return {"name": f"bench.core.{CORE_TABLE}", "expectations": expectations}


def generate_core(path: Path, rows: int) -> None:
    """Write raw_bench.orders with ``rows`` rows: 17 typed columns, defects planted periodically
    (1 in 50..5000 rows per defect; nulls 0.5-10 %), so the verdicts are the same at any size."""
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("SET threads = 2")
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {SCHEMA}.{CORE_TABLE} AS
        WITH base AS (
            SELECT i,
                   {_sql_list(CORE_COUNTRIES)}[1 + CAST(i % 8 AS INTEGER)] AS country,
                   CAST((i * 11) % 101 AS INTEGER) AS online,
                   CAST(((i * 7919) % 200000) / 100 + 1 AS DOUBLE) AS price,
                   DATE '2023-01-01' + CAST(i % 365 AS INTEGER) AS start_day
            FROM range({rows}) r(i)
        )
        SELECT
            CAST(100000 + CASE WHEN i % 1000 = 7 THEN i - 1 ELSE i END AS BIGINT) AS order_id,
            CAST(CASE WHEN i % 5000 = 13 THEN NULL ELSE i // 4 END AS INTEGER) AS customer_id,
            CASE WHEN i % 200 = 17 THEN NULL WHEN i % 701 = 9 THEN 'PAID' WHEN i % 1103 = 10 THEN 'unknown'
                 ELSE {_sql_list(CORE_STATUSES)}[1 + CAST((i * 3) % 5 AS INTEGER)] END AS status,
            CASE WHEN i % 1601 = 12 THEN 'usd' WHEN i % 2203 = 13 THEN 'XXX'
                 WHEN i % 10 < 6 THEN 'VND' WHEN i % 10 < 8 THEN 'USD' WHEN i % 10 < 9 THEN 'EUR' ELSE 'JPY' END
                AS currency,
            CASE WHEN i % 1409 = 14 THEN 'VNM' WHEN i % 1511 = 15 THEN 'XX' ELSE country END AS country_code,
            CASE WHEN i % 300 = 19 THEN NULL WHEN i % 397 = 16 THEN 'US' ELSE country END AS billing_country,
            CAST(CASE WHEN i % 50 = 1 THEN NULL WHEN i % 997 = 2 THEN -price WHEN i % 1999 = 3 THEN 0
                      ELSE price END AS DOUBLE) AS amount,
            CAST(CASE WHEN i % 40 = 3 THEN NULL WHEN i % 1201 = 5 THEN 0 WHEN i % 1301 = 6 THEN 500
                      ELSE 1 + (i * 13) % 20 END AS INTEGER) AS quantity,
            online AS pct_online,
            CAST(CASE WHEN i % 503 = 4 THEN 101 - online ELSE 100 - online END AS INTEGER) AS pct_store,
            DATE '2022-01-01' + CAST(CASE WHEN i % 2000 = 11 THEN ((i - 1) % 4) * 100 + ((i - 1) // 4) % 97
                                          ELSE (i % 4) * 100 + (i // 4) % 97 END AS INTEGER) AS order_date,
            CASE WHEN i % 2503 = 25 THEN TIMESTAMP '2031-01-01 00:00:00'
                 ELSE TIMESTAMP '2022-01-01 00:00:00' + to_seconds(CAST((i * 7727) % 63000000 AS BIGINT)) END
                AS created_at,
            start_day AS start_date,
            CASE WHEN i % 100 = 50 THEN NULL WHEN i % 809 = 23 THEN start_day - 3 WHEN i % 907 = 24 THEN start_day
                 ELSE start_day + CAST(1 + i % 30 AS INTEGER) END AS end_date,
            CASE WHEN i % 33 = 0 THEN NULL
                 WHEN i % 1500 = 9 THEN 'user' || CAST(i - 1 AS VARCHAR) || '@example.com'
                 WHEN i % 877 = 20 THEN 'user' || CAST(i AS VARCHAR) || '@example'
                 WHEN i % 1777 = 21 THEN 'user ' || CAST(i AS VARCHAR) || '@example.com'
                 ELSE 'user' || CAST(i AS VARCHAR) || '@example.com' END AS email,
            CASE WHEN i % 10 = 1 THEN NULL
                 WHEN i % 401 = 11 THEN '+84' || lpad(CAST(i % 1000000000 AS VARCHAR), 9, '0')
                 WHEN i % 503 = 12 THEN '12345'
                 ELSE '09' || lpad(CAST(i % 100000000 AS VARCHAR), 8, '0') END AS phone,
            CASE WHEN i % 10 = 0 THEN 'call before delivery'
                 WHEN i % 5003 = 22 THEN '<script>alert(1)</script>' END AS note
        FROM base
        """
    )
    con.close()


# The hand-written single pass of the core suite. Every count the suite needs, written once, spelled the
# way a careful hand-writer would (shared subexpressions written identically, NULL counts as count(*) -
# count(col), two regexes of a match_on=any list folded into one alternation, the three quantiles as one
# quantile_disc list, the mode from one histogram), with GX's semantics: map rules judge non-NULL values
# (a NULL comparison is never unexpected), pair / multicolumn rules skip rows whose values are all NULL.
#
# Uniqueness: GX counts *every* row of a group of equal values as unexpected, which one aggregate cannot
# say. The single pass computes count(col) - count(DISTINCT col) (0: no duplicates, nothing more to do);
# only where that shows duplicates is the group query run (SELECT sum(n) FROM (... GROUP BY key HAVING
# count(*) > 1)), one per uniqueness check, which is exactly what r57's one-pass validator also needs.
CORE_BASELINE_SQL = f"""
SELECT
    count(*) AS n,
    count(order_id) AS order_id_nn, count(DISTINCT order_id) AS order_id_distinct,
    count(email) AS email_nn, count(DISTINCT email) AS email_distinct,
    count_if(customer_id IS NOT NULL OR order_date IS NOT NULL) AS cd_judged,
    count_if(customer_id IS NOT NULL AND order_date IS NOT NULL) AS cd_nn,
    count(DISTINCT (customer_id, order_date)) FILTER (WHERE customer_id IS NOT NULL AND order_date IS NOT NULL)
        AS cd_distinct,
    count(customer_id) AS customer_id_nn, count(amount) AS amount_nn, count(order_date) AS order_date_nn,
    count(note) AS note_nn, count(quantity) AS quantity_nn, count(created_at) AS created_at_nn,
    count(status) AS status_nn, count(currency) AS currency_nn, count(phone) AS phone_nn,
    count(country_code) AS country_code_nn,
    count_if(NOT (amount > 0 AND amount <= 10000)) AS amount_positive_bad,
    count_if(NOT (quantity BETWEEN 1 AND 100)) AS quantity_range_bad,
    count_if(quantity >= 1) AS ordered_rows,
    count_if(quantity >= 1 AND amount IS NOT NULL) AS ordered_amount_nn,
    count_if(quantity >= 1 AND NOT (amount BETWEEN 1 AND 10000)) AS ordered_amount_bad,
    count_if(NOT (created_at BETWEEN TIMESTAMP '2022-01-01 00:00:00' AND TIMESTAMP '2024-12-31 23:59:59'))
        AS created_at_bad,
    count_if(status NOT IN ({", ".join(_q(s) for s in CORE_STATUSES)})) AS status_bad,
    count_if(currency IN ('XXX', 'TEST')) AS currency_bad,
    count_if(NOT (length(phone) BETWEEN 10 AND 12)) AS phone_length_bad,
    count_if(length(country_code) <> 2) AS country_code_length_bad,
    count_if(NOT regexp_matches(email, {_q(EMAIL_REGEX)})) AS email_format_bad,
    count_if(regexp_matches(note, {_q(SCRIPT_REGEX)})) AS note_script_bad,
    count_if(NOT regexp_matches(phone, {_q(PHONE_ANY_REGEX)})) AS phone_format_bad,
    count_if(NOT (email LIKE '%@%.%')) AS email_like_bad,
    count_if(end_date IS NOT NULL OR start_date IS NOT NULL) AS period_judged,
    count_if(NOT (end_date > start_date)) AS period_bad,
    count_if(start_date = end_date) AS period_same_day,
    count_if(billing_country IS NOT NULL OR country_code IS NOT NULL) AS billing_judged,
    count_if((billing_country IS NOT NULL OR country_code IS NOT NULL)
             AND NOT coalesce(billing_country = country_code, false)) AS billing_bad,
    count_if(pct_online IS NOT NULL OR pct_store IS NOT NULL) AS shares_judged,
    count_if(NOT (pct_online + pct_store = 100)) AS shares_bad,
    min(order_date) AS order_date_min,
    max(quantity) AS quantity_max,
    avg(amount) AS amount_mean,
    median(amount) AS amount_median,
    sum(quantity) AS quantity_sum,
    stddev_samp(amount) AS amount_stdev,
    quantile_disc(amount, [0.25, 0.5, 0.75]) AS amount_quantiles,
    count(DISTINCT status) AS status_distinct,
    histogram(currency) AS currency_histogram,
    count_if(country_code NOT IN ({", ".join(_q(c) for c in CORE_COUNTRIES)})) AS country_code_unknown
FROM {SCHEMA}.{CORE_TABLE}
"""


def _duplicate_rows(con, key: str, where: str) -> int:
    """GX's unexpected count of a uniqueness check: every row of each group of equal keys."""
    sql = (f"SELECT sum(n) FROM (SELECT count(*) AS n FROM {SCHEMA}.{CORE_TABLE} WHERE {where} "
           f"GROUP BY {key} HAVING count(*) > 1)")
    return int(con.execute(sql).fetchone()[0] or 0)


def core_baseline(con) -> dict[str, tuple[bool, int | None]]:
    """check_id -> (success, unexpected rows or None for aggregate/table checks), from CORE_BASELINE_SQL."""
    import datetime as dt
    import math

    cursor = con.execute(CORE_BASELINE_SQL)
    v = dict(zip([d[0] for d in cursor.description], cursor.fetchone()))
    columns = [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
        "ORDER BY ordinal_position", [SCHEMA, CORE_TABLE]).fetchall()]
    n = v["n"]

    def rows(judged: int, bad: int, mostly: float = 1.0) -> tuple[bool, int]:
        return (judged == 0 or (judged - bad) / judged >= mostly), bad

    def unique(key: str, where: str, judged: int, nonnull: int, distinct: int, mostly: float = 1.0):
        return rows(judged, _duplicate_rows(con, key, where) if nonnull > distinct else 0, mostly)

    def within(value, low, high) -> tuple[bool, None]:
        ok = value is not None and not (isinstance(value, float) and math.isnan(value))
        ok = ok and (low is None or value >= low) and (high is None or value <= high)
        return bool(ok), None

    histogram = v["currency_histogram"] or {}
    top = max(histogram.values(), default=0)
    modes = [k for k, c in histogram.items() if c == top]
    quantiles = v["amount_quantiles"]
    r = "orders."
    return {
        r + "row_count": within(n, 1, 1_000_000_000),
        r + "column_count": (len(columns) == len(CORE_COLUMNS), None),
        r + "column_order": (columns == CORE_COLUMNS, None),
        r + "created_at.exists": ("created_at" in columns, None),
        r + "order_id.unique": unique("order_id", "order_id IS NOT NULL", v["order_id_nn"], v["order_id_nn"],
                                      v["order_id_distinct"]),
        r + "email.unique": unique("email", "email IS NOT NULL", v["email_nn"], v["email_nn"], v["email_distinct"],
                                   0.99),
        r + "customer_day.unique": unique("customer_id, order_date", "customer_id IS NOT NULL AND order_date IS NOT NULL",
                                          v["cd_judged"], v["cd_nn"], v["cd_distinct"]),
        r + "order_id.not_null": rows(n, n - v["order_id_nn"]),
        r + "customer_id.not_null": rows(n, n - v["customer_id_nn"]),
        r + "amount.not_null": rows(n, n - v["amount_nn"], 0.95),
        r + "email.not_null": rows(n, n - v["email_nn"], 0.99),
        r + "order_date.not_null": rows(n, n - v["order_date_nn"]),
        r + "note.mostly_null": rows(n, v["note_nn"], 0.8),
        r + "amount.positive": rows(v["amount_nn"], v["amount_positive_bad"]),
        r + "quantity.range": rows(v["quantity_nn"], v["quantity_range_bad"], 0.99),
        r + "amount.range_when_ordered": rows(v["ordered_amount_nn"], v["ordered_amount_bad"], 0.995),
        r + "created_at.range": rows(v["created_at_nn"], v["created_at_bad"], 0.999),
        r + "status.valid": rows(v["status_nn"], v["status_bad"]),
        r + "currency.not_test": rows(v["currency_nn"], v["currency_bad"]),
        r + "phone.length": rows(v["phone_nn"], v["phone_length_bad"]),
        r + "country_code.length": rows(v["country_code_nn"], v["country_code_length_bad"]),
        r + "email.format": rows(v["email_nn"], v["email_format_bad"]),
        r + "note.no_script": rows(v["note_nn"], v["note_script_bad"]),
        r + "phone.format": rows(v["phone_nn"], v["phone_format_bad"]),
        r + "email.like": rows(v["email_nn"], v["email_like_bad"]),
        r + "period.ordered": rows(v["period_judged"], v["period_bad"]),
        r + "billing_country.same": rows(v["billing_judged"], v["billing_bad"], 0.99),
        r + "channel_shares.sum": rows(v["shares_judged"], v["shares_bad"]),
        r + "period.distinct_days": rows(v["period_judged"], v["period_same_day"]),
        r + "order_date.min": within(v["order_date_min"], dt.date(2021, 1, 1), dt.date(2022, 6, 30)),
        r + "quantity.max": within(v["quantity_max"], 1, 100),
        r + "amount.mean": within(v["amount_mean"], 500, 1500),
        r + "amount.median": within(v["amount_median"], 500, 1500),
        r + "quantity.sum": within(v["quantity_sum"], 0, None),
        r + "amount.stdev": within(v["amount_stdev"], 100, 1000),
        r + "amount.quantiles": (quantiles is not None and all(
            low <= q <= high for q, (low, high) in zip(quantiles, QUANTILES["value_ranges"])), None),
        r + "status.cardinality": within(v["status_distinct"], 3, 10),
        r + "order_id.unique_share": within(v["order_id_distinct"] / v["order_id_nn"] if v["order_id_nn"] else 0.0,
                                            0.99, 1),
        r + "currency.mode": (len(modes) == 1 and modes[0] == "VND", None),
        r + "country_code.known": (v["country_code_unknown"] == 0, None),
    }


# ---------------------------------------------------------------------------------------------------
# Workers: one method, one table, run in a subprocess
# ---------------------------------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _generate_and_measure(db: Path, rows: int, generate_table, run) -> dict:  # noqa: ANN001
    """Generate the table unless it is kept, then run the methods, with the machine's load around them."""
    if not db.exists():
        start = time.perf_counter()
        generate_table(db, rows)
        print(f"generated {rows:,} rows in {time.perf_counter() - start:.1f} s ({db})", flush=True)
    print(f"  {rows:,} rows; load average before: {os.getloadavg()[0]:.2f}", flush=True)
    results = run()
    print(f"  load average after: {os.getloadavg()[0]:.2f}", flush=True)
    return results


def _summary(method: str, times: list[float], cpu_times: list[float], setup: float, **figures) -> dict:
    """One method's result: the median wall time, every run's times, setup, peak RSS, and its figures."""
    return {
        "method": method,
        "runs": len(times),
        "seconds": statistics.median(times),
        "all_seconds": times,
        "cpu_seconds": cpu_times,
        "load_seconds": None,
        "setup_seconds": setup,
        "peak_rss_mb": _peak_rss_mb(),
        **figures,
    }


def worker(method: str, db: Path, repeat: int, slow_seconds: float, suite_name: str = "contract") -> dict:
    if suite_name == "core":
        return core_worker(method, db, repeat, slow_seconds)
    import duckdb

    suite = bench_suite()
    times: list[float] = []
    cpu_times: list[float] = []
    load_times: list[float] = []
    counts: dict[str, int] = {}
    setup_start = time.perf_counter()
    if method in ("gx_sql", "gx_pandas"):
        from r57_pipelines.validation.gx.gx_duckdb import gx_context

        gx_context()  # import GX and build the context outside the timed runs
    setup = time.perf_counter() - setup_start
    for _ in range(repeat):
        if method == "baseline":
            sql, ids = baseline_sql()
            con = duckdb.connect(str(db))
            con.execute("SET threads = 2")
            from sqlglot import exp

            from r57_pipelines.validation.reference import ensure_reference_tables

            ensure_reference_tables(con, exp.table_("r57_ref_communes"))  # the list, as the pipeline has it
            start, cpu = time.perf_counter(), time.process_time()
            values = con.execute(sql).fetchone()
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu)
            con.close()
            counts = dict(zip(ids, (int(v) for v in values)))
        elif method == "onepass":
            from r57_pipelines.validation.onepass import validate_table

            con = duckdb.connect(str(db))
            con.execute("SET threads = 2")
            start, cpu = time.perf_counter(), time.process_time()
            outcomes = validate_table(con, SCHEMA, TABLE, suite, PARAMETERS)
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu)
            con.close()
            counts = {o.check_id: o.unexpected_count for o in outcomes}
        elif method == "gx_sql":
            from r57_pipelines.validation.gx.gx_duckdb import run_gx

            start, cpu = time.perf_counter(), time.process_time()
            outcomes = run_gx(db, SCHEMA, TABLE, suite, PARAMETERS)
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu)
            counts = {o.check_id: o.unexpected_count for o in outcomes}
        elif method == "gx_pandas":
            cpu = time.process_time()
            counts, load, run, load_cpu = _gx_pandas(db, suite)
            load_times.append(load)
            times.append(run)
            cpu_times.append(time.process_time() - cpu - load_cpu)
        if times[-1] > slow_seconds:
            break
    load = statistics.median(load_times) if load_times else None
    return _summary(method, times, cpu_times, setup, counts=counts, load_seconds=load)


def core_worker(method: str, db: Path, repeat: int, slow_seconds: float) -> dict:
    """One method on raw_bench.orders with the core suite: per check, success and unexpected count."""
    import duckdb

    suite = core_suite()
    times: list[float] = []
    cpu_times: list[float] = []
    counts: dict[str, int] = {}
    success: dict[str, bool | None] = {}
    notes: dict[str, object] = {}
    setup_start = time.perf_counter()
    if method == "gx_sql":
        from r57_pipelines.validation.gx.gx_duckdb import gx_context

        gx_context()  # import GX and build the context outside the timed runs
    setup = time.perf_counter() - setup_start
    for _ in range(repeat):
        if method == "baseline":
            con = duckdb.connect(str(db))
            con.execute("SET threads = 2")
            start, cpu = time.perf_counter(), time.process_time()
            verdicts = core_baseline(con)
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu)
            con.close()
            success = {k: ok for k, (ok, _) in verdicts.items()}
            counts = {k: bad for k, (_, bad) in verdicts.items() if bad is not None}
        else:
            if method == "onepass":
                from r57_pipelines.validation.onepass import validate_table

                con = duckdb.connect(str(db))
                con.execute("SET threads = 2")
                start, cpu = time.perf_counter(), time.process_time()
                outcomes = validate_table(con, SCHEMA, CORE_TABLE, suite, {})
                times.append(time.perf_counter() - start)
                cpu_times.append(time.process_time() - cpu)
                con.close()
            elif method == "gx_sql":
                from r57_pipelines.validation.gx.gx_duckdb import run_gx

                start, cpu = time.perf_counter(), time.process_time()
                outcomes = run_gx(db, SCHEMA, CORE_TABLE, suite, {})
                times.append(time.perf_counter() - start)
                cpu_times.append(time.process_time() - cpu)
            else:
                raise ValueError(f"--suite core has no method {method!r} (only {', '.join(CORE_METHODS)})")
            success = {o.check_id: o.success for o in outcomes}
            counts = {o.check_id: o.unexpected_count for o in outcomes}
            notes = {o.check_id: o.observed_value for o in outcomes}
        if times[-1] > slow_seconds:
            break
    return _summary(
        method, times, cpu_times, setup, counts=counts, success=success,
        observed=json.loads(json.dumps(notes, default=str)),
    )


def _gx_pandas(db: Path, suite: dict) -> tuple[dict[str, int], float, float, float]:
    import gc

    import duckdb
    from great_expectations.core.expectation_suite import ExpectationSuite

    from r57_pipelines.validation.gx.gx_duckdb import gx_context
    from r57_pipelines.validation.onepass import parameters_for_table
    from r57_pipelines.validation.outcome import outcome_from_gx

    start, cpu = time.perf_counter(), time.process_time()
    con = duckdb.connect(str(db))
    frame = con.sql(f"SELECT * FROM {SCHEMA}.{TABLE}").to_arrow_table().to_pandas()
    con.close()
    load, load_cpu = time.perf_counter() - start, time.process_time() - cpu
    context = gx_context()
    params = parameters_for_table(PARAMETERS, TABLE)
    start = time.perf_counter()
    source = context.data_sources.add_or_update_pandas("bench_pandas")
    asset = source.add_dataframe_asset(f"person_{time.monotonic_ns()}")
    batch = asset.add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(
        ExpectationSuite(**json.loads(json.dumps(suite))), expectation_parameters=params, result_format="BASIC"
    )
    run = time.perf_counter() - start
    by_check = {r.expectation_config.meta["check_id"]: r.to_json_dict() for r in result.results}
    counts = {
        e["meta"]["check_id"]: outcome_from_gx(SCHEMA, TABLE, e, by_check[e["meta"]["check_id"]], params).unexpected_count
        for e in suite["expectations"]
    }
    del frame, batch, result
    gc.collect()
    return counts, load, run, load_cpu


# ---------------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------------


def run_method(method: str, db: Path, slow_seconds: float, suite_name: str = "contract") -> dict:
    command = [sys.executable, __file__, "--worker", method, "--db", str(db), "--repeat", "1",
               "--slow-seconds", str(slow_seconds), "--suite", suite_name]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{method} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(db: Path, methods: list[str], repeat: int, slow_seconds: float, suite_name: str = "contract") -> dict[str, dict]:
    """Runs interleaved (baseline, onepass, gx_sql, gx_pandas, baseline, ...): on a shared machine a burst
    of load then hits every method alike. One process per run; peak RSS is the largest of a method's runs."""
    results: dict[str, dict] = {m: {"times": [], "cpu": [], "loads": [], "rss": 0.0, "counts": {}} for m in methods}
    for _ in range(repeat):
        for method in methods:
            r = results[method]
            if r["times"] and r["times"][0] > slow_seconds:
                continue
            run = run_method(method, db, slow_seconds, suite_name)
            r["times"] += run["all_seconds"]
            r["cpu"] += run["cpu_seconds"]
            if run["load_seconds"] is not None:
                r["loads"].append(run["load_seconds"])
            r["rss"] = max(r["rss"], run["peak_rss_mb"])
            r["counts"] = run["counts"]
            r["success"] = run.get("success", {})
            r["observed"] = run.get("observed", {})
            print(f"    {method:<10} {run['all_seconds'][0]:8.2f} s wall {run['cpu_seconds'][0]:8.2f} s CPU "
                  f"{run['peak_rss_mb']:6.0f} MB", flush=True)
    for r in results.values():
        r["seconds"] = statistics.median(r["times"])
        r["cpu_seconds"] = statistics.median(r["cpu"])
        r["load_seconds"] = statistics.median(r["loads"]) if r["loads"] else None
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", choices=("contract", "core"), default="contract",
                        help="contract: r57's generated suite on 14 VARCHAR columns; core: 38 GX Core expectations "
                        "on a typed table (methods baseline, onepass, gx_sql)")
    parser.add_argument("--rows", default="1000000,5000000", help="comma-separated table sizes")
    parser.add_argument("--repeat", type=int, default=3, help="runs per method (median reported)")
    parser.add_argument("--methods", default=None, help=f"default: {','.join(METHODS)} (core: {','.join(CORE_METHODS)})")
    parser.add_argument("--slow-seconds", type=float, default=120.0, help="do not repeat a run slower than this")
    parser.add_argument("--keep", type=Path, default=None, help="keep the generated DuckDB files in this folder")
    parser.add_argument("--worker", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.db, args.repeat, args.slow_seconds, args.suite)))
        return 0
    if args.suite == "core":
        return main_core(args)
    args.methods = args.methods or ",".join(METHODS)

    sizes = [int(s) for s in args.rows.split(",")]
    methods = [m for m in args.methods.split(",") if m]
    suite = bench_suite()
    print(
        f"Suite: {len(suite['expectations'])} expectations on 14 VARCHAR columns; DuckDB threads=2; one process "
        f"per run, methods interleaved; median of up to {args.repeat} runs (a run over {args.slow_seconds:.0f} s "
        "is not repeated)."
    )
    folder = args.keep or Path(tempfile.mkdtemp(prefix="r57_bench_"))
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        "| rows | method | runs | wall s | CPU s | rows/s (wall) | x baseline wall | x baseline CPU | peak RSS MB "
        "| load s | counts = onepass |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    failures = []
    for rows in sizes:
        db = folder / f"bench_{rows}.duckdb"
        results = _generate_and_measure(db, rows, generate, lambda: measure(db, methods, args.repeat, args.slow_seconds))
        base = results.get("baseline")
        reference = results.get("onepass", base)["counts"]
        for method, r in results.items():
            same = {k: v for k, v in r["counts"].items() if k in reference}
            differing = sorted(k for k, v in same.items() if reference[k] != v)
            agree = "yes" if not differing else "NO: " + ", ".join(differing)
            wall = f"{r['seconds'] / base['seconds']:.2f}" if base else "-"
            cpu = f"{r['cpu_seconds'] / base['cpu_seconds']:.2f}" if base else "-"
            load = f"{r['load_seconds']:.2f}" if r["load_seconds"] is not None else ""
            lines.append(
                f"| {rows:,} | {method} | {len(r['times'])} | {r['seconds']:.2f} | {r['cpu_seconds']:.2f} | "
                f"{rows / r['seconds']:,.0f} | {wall} | {cpu} | {r['rss']:.0f} | {load} | {agree} |"
            )
            if differing:
                failures.append((rows, method, {k: (reference[k], same[k]) for k in differing}))
        if base and "onepass" in results and "gx_pandas" in results:
            one, pandas = results["onepass"], results["gx_pandas"]
            print(
                f"  targets at {rows:,}: onepass {one['seconds'] / base['seconds']:.2f}x baseline wall "
                f"({one['cpu_seconds'] / base['cpu_seconds']:.2f}x CPU; target <= 1.25); GX pandas / onepass "
                f"{pandas['seconds'] / one['seconds']:.1f}x wall, {pandas['cpu_seconds'] / one['cpu_seconds']:.1f}x CPU "
                f"(target >= 10); onepass peak {one['rss']:.0f} MB (target < 1536)",
                flush=True,
            )
    print("\n".join(lines))
    for rows, method, diff in failures:
        print(f"count mismatch at {rows:,} rows, {method} vs onepass: {diff}")
    return 1 if failures else 0


def main_core(args: argparse.Namespace) -> int:
    """--suite core: baseline, onepass and gx_sql on raw_bench.orders; success compared per expectation."""
    sizes = [int(s) for s in args.rows.split(",")]
    methods = [m for m in (args.methods or ",".join(CORE_METHODS)).split(",") if m]
    unknown = [m for m in methods if m not in CORE_METHODS]
    if unknown:
        raise SystemExit(f"--suite core: unknown method(s) {unknown}; choose from {', '.join(CORE_METHODS)}")
    suite = core_suite()
    kinds = {e["type"] for e in suite["expectations"]}
    print(
        f"Suite core: {len(suite['expectations'])} GX Core expectations ({len(kinds)} types) on "
        f"{SCHEMA}.{CORE_TABLE} ({len(CORE_COLUMNS)} typed columns); DuckDB threads=2; one process per run, methods "
        f"interleaved; median of up to {args.repeat} runs (a run over {args.slow_seconds:.0f} s is not repeated)."
    )
    folder = args.keep or Path(tempfile.mkdtemp(prefix="r57_bench_"))
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        "| rows | method | runs | wall s | CPU s | rows/s (wall) | x baseline wall | x baseline CPU | peak RSS MB "
        "| success = onepass | counts = onepass |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    mismatches: list[str] = []
    targets: list[str] = []
    for rows in sizes:
        db = folder / f"bench_core_{rows}.duckdb"
        results = _generate_and_measure(db, rows, generate_core, lambda: measure(db, methods, args.repeat, args.slow_seconds, "core"))
        base = results.get("baseline")
        reference = results.get("onepass")
        for method, r in results.items():
            verdict, counted = "-", "-"
            if reference is not None and method != "onepass":
                ids = [e["meta"]["check_id"] for e in suite["expectations"]]
                bad_success = [k for k in ids if r["success"].get(k, "absent") != reference["success"].get(k, "absent")]
                compared = [k for k in ids if k in r["counts"] and k in reference["counts"]]
                bad_counts = [k for k in compared if r["counts"][k] != reference["counts"][k]]
                verdict = f"yes ({len(ids)})" if not bad_success else f"NO: {len(bad_success)} of {len(ids)}"
                counted = f"yes ({len(compared)})" if not bad_counts else f"NO: {len(bad_counts)} of {len(compared)}"
                for k in bad_success:
                    mismatches.append(
                        f"{rows:,} rows, {k}: success onepass={reference['success'].get(k)} {method}={r['success'].get(k)}"
                        f" (observed onepass={reference['observed'].get(k)!r}"
                        + (f", {method}={r['observed'].get(k)!r})" if r.get("observed") else ")")
                    )
                for k in bad_counts:
                    mismatches.append(
                        f"{rows:,} rows, {k}: unexpected_count onepass={reference['counts'][k]} {method}={r['counts'][k]}"
                    )
            elif method == "onepass":
                verdict = counted = "(reference)"
            wall = f"{r['seconds'] / base['seconds']:.2f}" if base else "-"
            cpu = f"{r['cpu_seconds'] / base['cpu_seconds']:.2f}" if base else "-"
            lines.append(
                f"| {rows:,} | {method} | {len(r['times'])} | {r['seconds']:.2f} | {r['cpu_seconds']:.2f} | "
                f"{rows / r['seconds']:,.0f} | {wall} | {cpu} | {r['rss']:.0f} | {verdict} | {counted} |"
            )
        if base and reference:
            ratio = reference["seconds"] / base["seconds"]
            line = (f"  onepass / baseline wall at {rows:,}: {ratio:.2f} (target <= 1.25: "
                    f"{'met' if ratio <= 1.25 else 'NOT met'}; CPU {reference['cpu_seconds'] / base['cpu_seconds']:.2f})")
            if "gx_sql" in results:
                gx = results["gx_sql"]
                line += (f"; gx_sql / onepass {gx['seconds'] / reference['seconds']:.1f}x wall, "
                         f"{gx['cpu_seconds'] / reference['cpu_seconds']:.1f}x CPU")
            targets.append(line)
            print(line, flush=True)
        if reference:
            failing = sorted(k for k, ok in reference["success"].items() if ok is False)
            print(f"  onepass: {len(failing)} of {len(reference['success'])} expectations fail: {', '.join(failing)}")
        for method, r in results.items():
            unjudged = sorted(k for k, ok in r["success"].items() if ok is None)
            if unjudged:  # agreement on "not evaluated" would be vacuous: say so
                mismatches.append(f"{rows:,} rows, {method} did not evaluate: {', '.join(unjudged)}")
    print("\n".join(lines))
    print("\n".join(targets))
    for line in mismatches:
        print("MISMATCH " + line)
    if not mismatches:
        print("every method agrees with onepass on every expectation's success (and on every compared count)")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
