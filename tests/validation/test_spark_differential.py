"""Spark and DuckDB give the same outcomes for every check of the generated suites (issue 15).

Two warehouses. The planted-defect warehouse (``planted.py``) plus rows with the values where the two engines' SQL differs
(NFD text, a newline before ``$``, NBSP and U+3000, a vertical tab, U+2028, offsets, timestamps without
seconds or at 24:00, ``2025`` as a date, ``12.0`` as a number) is validated by DuckDB, then written to
Parquet (with the load order column) and validated by Spark local[2] from the same compiler in the
``spark`` dialect. And two databases of the sample estate loaded by r57's own ingest (``population``, the
master data, and ``electronic_identification``, whose 150-day-old extract passed the live check on Spark
when the timestamp's offset was lost). Every check must agree on success, element, unexpected and
considered counts.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from r57_pipelines.validation.onepass import validate_database
from r57_pipelines.validation.suites import build_suites
from tests.validation.planted import PARAMETERS, TESTDB, build_warehouse, records

pytestmark = [pytest.mark.slow, pytest.mark.spark]

import pyspark  # noqa: E402, F401  (the `spark` extra: `make test` installs it)

if shutil.which("java") is None:
    pytest.fail("Spark needs Java: `make test` installs it (make java)", pytrace=False)


def _tricky_rows() -> list[dict[str, str | None]]:
    """Record rows whose one changed value is read differently by DuckDB's and Spark's functions."""
    base = records()[0][0]
    changes = [
        {"personal_id": base["personal_id"] + "\n"},  # Java's $ matches before a final \n
        {"phone": base["phone"] + "\r\n"},
        {"plate": base["plate"] + "\u2028"},  # ... and before U+2028
        {"province_code": base["province_code"] + "\n"},
        {"birth_date": base["birth_date"] + "\n"},
        {"full_name": base["full_name"] + "\u00a0"},  # NBSP: DuckDB's trim strips it, Spark's does not
        {"full_name": "\u3000" + base["full_name"]},
        {"address": base["address"].replace(" ", "\u00a0", 2)},
        {"note": "Hồ sơ\u000bđã kiểm tra"},  # vertical tab: in Java's \s, not in RE2's
        {"note": "Hồ sơ đã kiểm tra\n"},
        {"full_name": "Nguye\u0302\u0303n Văn Tư"},  # NFD
        {"updated_at": "2025-11-02T10:00Z"},  # no seconds: DuckDB's cast accepts, Spark's refuses
        {"updated_at": "2025-11-02T24:00:00+07:00"},  # hour 24: DuckDB reads the next day
        {"updated_at": "2025-11-02T10:00:00+0700"},
        {"updated_at": "2025-11-02 10:00:00+07"},
        {"updated_at": "2025-11-02T10:00:00.123456Z"},
        {"birth_date": "2025"},  # Spark's try_cast reads a date from a year
        {"registered_on": "2025-02-29"},
        {"registered_on": "29/02/2024"},
        {"amount": "12.0"},
        {"amount": "1e3"},
        {"tax_code": "12.0"},
    ]
    rows = []
    for i, change in enumerate(changes):
        row = dict(base)
        row.update(change, record_id=f"T{i:03d}")
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def tricky_warehouse(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spark_differential")
    path = build_warehouse(folder / "warehouse.duckdb")
    con = duckdb.connect(str(path))
    try:
        cols = [r[0] for r in con.execute("select column_name from information_schema.columns where table_schema = "
                                          "'raw_testdb' and table_name = 'record' order by ordinal_position").fetchall()]
        con.executemany(
            "INSERT INTO raw_testdb.record VALUES (" + ", ".join("?" for _ in cols) + ")",
            [[r.get(c, "extra") for c in cols] for r in _tricky_rows()],
        )
        # A numeric table outside the contract, for the expectations only GX runs (z-scores need numbers).
        con.execute(
            "create table raw_testdb.reading as select i::varchar as reading_id, (i % 10)::double as amount "
            "from range(200) t(i) union all select 'outlier', 1e6"
        )
    finally:
        con.close()
    return folder, path


SAMPLE = Path(__file__).resolve().parents[2] / "sample_sources"
SAMPLE_DATABASES = {"population": "MPS/population", "electronic_identification": "MPS/electronic_identification"}
SAMPLE_AS_OF = dt.date(2025, 12, 4)


@pytest.fixture(scope="module")
def sample_warehouse(tmp_path_factory):
    from r57_pipelines.delivery.load import load_delivery
    from r57_pipelines.registry import load_registry
    from r57_pipelines.warehouse import ensure_schema

    registry = load_registry()
    path = tmp_path_factory.mktemp("spark_sample") / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    try:
        ensure_schema(con)
        for database_id, folder in SAMPLE_DATABASES.items():
            outcome = load_delivery(con, registry.databases[database_id], SAMPLE / folder)
            assert outcome.status == "loaded", outcome.error
    finally:
        con.close()
    return path


def _export(session, path: Path, folder: Path) -> None:  # noqa: ANN001
    from r57_pipelines.warehouse.lake import export_duckdb_table, register_parquet

    con = duckdb.connect(str(path), read_only=True)
    try:
        for schema, table in con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name like 'raw_%'"
        ).fetchall():
            register_parquet(session, schema, table, export_duckdb_table(con, schema, table, folder))
    finally:
        con.close()


@pytest.fixture(scope="module")
def spark_session(tricky_warehouse, sample_warehouse):
    from r57_pipelines.validation.engines import local_spark_session

    folder, path = tricky_warehouse
    session = local_spark_session(2, warehouse_dir=str(folder / "spark-warehouse"))
    _export(session, path, folder / "parquet")  # raw_testdb, raw_population (the planted master)
    yield session


def _key(o):
    return (o.success, o.element_count, o.unexpected_count, o.considered_count)


def test_spark_outcomes_equal_duckdb(tricky_warehouse, spark_session):
    _, path = tricky_warehouse
    suites = build_suites(TESTDB)
    con = duckdb.connect(str(path), read_only=True)
    try:
        duck = {o.check_id: o for o in validate_database(con, TESTDB, PARAMETERS, suites=suites)}
    finally:
        con.close()
    spark = {o.check_id: o for o in validate_database(spark_session, TESTDB, PARAMETERS, suites=suites, dialect="spark")}

    assert set(spark) == set(duck)
    differ = {c: (_key(duck[c]), _key(spark[c]), spark[c].observed_value) for c in duck if _key(duck[c]) != _key(spark[c])}
    assert not differ, differ
    # The tricky rows are judged: the run is not vacuous.
    assert duck["record.personal_id.valid_format"].unexpected_count >= 2
    assert duck["_r57_delivery.extracted_at.fresh"].success is False  # the stale delivery fails on both
    assert sum(o.success is not None for o in duck.values()) > 60


def test_sample_databases_spark_equals_duckdb(sample_warehouse, spark_session, tmp_path):
    from r57_pipelines.quality.parameters import suite_parameters
    from r57_pipelines.readiness.policy import default_policy
    from r57_pipelines.registry import load_registry

    _export(spark_session, sample_warehouse, tmp_path / "parquet")  # replaces raw_population by the sample's
    registry = load_registry()
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    compared = 0
    try:
        for database_id in SAMPLE_DATABASES:
            database = registry.databases[database_id]
            params = suite_parameters(database, SAMPLE_AS_OF, default_policy(), previous_rows={})
            duck = {o.check_id: o for o in validate_database(con, database, params)}
            spark = {o.check_id: o for o in validate_database(spark_session, database, params, dialect="spark")}
            assert set(spark) == set(duck)
            differ = {c: (_key(duck[c]), _key(spark[c])) for c in duck if _key(duck[c]) != _key(spark[c])}
            assert not differ, (database_id, differ)
            compared += len(duck)
    finally:
        con.close()
    assert compared > 40


def test_expectations_only_gx_runs_run_on_gxs_spark_engine(tricky_warehouse, spark_session):
    """Types r57 does not compile go to GX: its SQL engine on DuckDB, its Spark engine on Spark; the same outcomes."""

    def z_scores(name: str, threshold: float) -> dict:
        meta = {"check_id": f"reading.amount.z_{name}", "dimension": "correct", "severity": "minor"}
        kwargs = {"column": "amount", "threshold": threshold, "double_sided": True}
        return {"type": "expect_column_value_z_scores_to_be_less_than", "kwargs": kwargs, "meta": meta}

    suites = {"testdb.reading": {"meta": {"r57": {"table": "reading"}}, "expectations": [z_scores("3", 3), z_scores("20", 20)]}}
    _, path = tricky_warehouse
    con = duckdb.connect(str(path), read_only=True)
    try:
        duck = validate_database(con, TESTDB, PARAMETERS, suites=suites)
    finally:
        con.close()
    spark = validate_database(spark_session, TESTDB, PARAMETERS, suites=suites, dialect="spark")
    assert [o.engine for o in duck] == [o.engine for o in spark] == ["gx", "gx"]
    assert [_key(o) for o in spark] == [_key(o) for o in duck]
    assert (duck[0].success, duck[0].unexpected_count, duck[0].element_count) == (False, 1, 201)  # the outlier
    assert duck[1].success is True
