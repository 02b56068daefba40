"""Validation speed: r57's one-pass validator against one hand-written DuckDB query and against GX.

Generates a DuckDB table of 14 VARCHAR columns (every column kind r57 checks, with planted defects),
builds its suite from a contract exactly as ``r57 suites`` does (no master data: GX's pandas engine cannot
read a second table), and times four ways of computing the same counts:

  baseline   one hand-written DuckDB query, every unexpected count in a single pass
  onepass    r57_pipelines.validation.onepass.validate_table (sqlglot-compiled, one pass)
  gx_sql     Great Expectations 1.24 SQL engine on DuckDB through r57's adapter (gx_duckdb.run_gx)
  gx_pandas  Great Expectations on pandas, table loaded through Arrow (load time reported apart)

Every run is its own subprocess (so a method's peak RSS is its own), the methods are interleaved (on a
shared machine a burst of load then hits all of them alike), each runs ``--repeat`` times and the median
is reported, as wall seconds and as the process's CPU seconds (less sensitive to other load). A method
whose first run takes longer than ``--slow-seconds`` is not repeated (the table says how many runs it
had). The counts of every method are compared with the one-pass counts.

    .venv/bin/python benchmarks/bench_validation.py --rows 1000000,5000000 --repeat 3
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

    from r57_pipelines.domain.provinces import current_province_codes, old_province_codes
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
                   lpad(CAST((i * 7919) % 1000000000 AS VARCHAR), 9, '0') AS b9
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
            CASE WHEN i % 257 = 8 THEN '02' ELSE {_sql_list(provinces)}[1 + CAST(i % 34 AS INTEGER)] END AS province_code,
            CASE WHEN i % 709 = 9 THEN '123' ELSE lpad(CAST(i % 100000 AS VARCHAR), 5, '0') END AS commune_code,
            CASE WHEN i % 50 = 0 THEN NULL WHEN i % 809 = 10 THEN 'KHÔNG CÓ'
                 ELSE 'Số ' || CAST(i % 500 AS VARCHAR) || ' đường Lê Lợi, phường Bến Nghé' END AS address,
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
        "person.commune_code.valid_format": bad("commune_code", "regexp_matches(commune_code, '^[0-9]{5}$')"),
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
        "person.primary_key_unique": "count(record_id) - count(DISTINCT record_id)",
        "person.natural_key_unique": f"count_if(full_name IS NOT NULL AND birth_date IS NOT NULL) - count(DISTINCT "
        f"CASE WHEN full_name IS NOT NULL AND birth_date IS NOT NULL THEN row({natural}) END)",
    }
    ids = list(checks)
    sql = "SELECT " + ",\n       ".join(f"{e} AS c{i}" for i, e in enumerate(checks.values())) + f" FROM {SCHEMA}.{TABLE}"
    return sql, ids


# ---------------------------------------------------------------------------------------------------
# Workers: one method, one table, run in a subprocess
# ---------------------------------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def worker(method: str, db: Path, repeat: int, slow_seconds: float) -> dict:
    import duckdb

    suite = bench_suite()
    times: list[float] = []
    cpu_times: list[float] = []
    load_times: list[float] = []
    counts: dict[str, int] = {}
    setup_start = time.perf_counter()
    if method in ("gx_sql", "gx_pandas"):
        from r57_pipelines.validation.gx_duckdb import gx_context

        gx_context()  # import GX and build the context outside the timed runs
    setup = time.perf_counter() - setup_start
    for _ in range(repeat):
        if method == "baseline":
            sql, ids = baseline_sql()
            con = duckdb.connect(str(db))
            con.execute("SET threads = 2")
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
            from r57_pipelines.validation.gx_duckdb import run_gx

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
    return {
        "method": method,
        "runs": len(times),
        "seconds": statistics.median(times),
        "all_seconds": times,
        "cpu_seconds": cpu_times,
        "load_seconds": statistics.median(load_times) if load_times else None,
        "setup_seconds": setup,
        "peak_rss_mb": _peak_rss_mb(),
        "counts": counts,
    }


def _gx_pandas(db: Path, suite: dict) -> tuple[dict[str, int], float, float, float]:
    import gc

    import duckdb
    from great_expectations.core.expectation_suite import ExpectationSuite

    from r57_pipelines.validation.gx_duckdb import gx_context
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


def run_method(method: str, db: Path, slow_seconds: float) -> dict:
    command = [sys.executable, __file__, "--worker", method, "--db", str(db), "--repeat", "1",
               "--slow-seconds", str(slow_seconds)]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{method} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(db: Path, methods: list[str], repeat: int, slow_seconds: float) -> dict[str, dict]:
    """Runs interleaved (baseline, onepass, gx_sql, gx_pandas, baseline, ...): on a shared machine a burst
    of load then hits every method alike. One process per run; peak RSS is the largest of a method's runs."""
    results: dict[str, dict] = {m: {"times": [], "cpu": [], "loads": [], "rss": 0.0, "counts": {}} for m in methods}
    for _ in range(repeat):
        for method in methods:
            r = results[method]
            if r["times"] and r["times"][0] > slow_seconds:
                continue
            run = run_method(method, db, slow_seconds)
            r["times"] += run["all_seconds"]
            r["cpu"] += run["cpu_seconds"]
            if run["load_seconds"] is not None:
                r["loads"].append(run["load_seconds"])
            r["rss"] = max(r["rss"], run["peak_rss_mb"])
            r["counts"] = run["counts"]
            print(f"    {method:<10} {run['all_seconds'][0]:8.2f} s wall {run['cpu_seconds'][0]:8.2f} s CPU "
                  f"{run['peak_rss_mb']:6.0f} MB", flush=True)
    for r in results.values():
        r["seconds"] = statistics.median(r["times"])
        r["cpu_seconds"] = statistics.median(r["cpu"])
        r["load_seconds"] = statistics.median(r["loads"]) if r["loads"] else None
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="1000000,5000000", help="comma-separated table sizes")
    parser.add_argument("--repeat", type=int, default=3, help="runs per method (median reported)")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--slow-seconds", type=float, default=120.0, help="do not repeat a run slower than this")
    parser.add_argument("--keep", type=Path, default=None, help="keep the generated DuckDB files in this folder")
    parser.add_argument("--worker", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.db, args.repeat, args.slow_seconds)))
        return 0

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
        if not db.exists():
            start = time.perf_counter()
            generate(db, rows)
            print(f"generated {rows:,} rows in {time.perf_counter() - start:.1f} s ({db})", flush=True)
        print(f"  {rows:,} rows; load average before: {os.getloadavg()[0]:.2f}", flush=True)
        results = measure(db, methods, args.repeat, args.slow_seconds)
        print(f"  load average after: {os.getloadavg()[0]:.2f}", flush=True)
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


if __name__ == "__main__":
    sys.exit(main())
