"""Shared fixtures: one planted-defect warehouse and one run of each path per session.

GX costs about 5 s to import and a second for a context, so it is imported once (``gx_duckdb.gx_context``
caches the context per process) and every GX-path test reads the same session-scoped results.
"""

from __future__ import annotations

import duckdb
import pytest

from r57_pipelines.validation.onepass import table_columns, validate_database
from r57_pipelines.validation.reference import ensure_reference_tables
from r57_pipelines.validation.suites import build_suites
from tests.validation.planted import PARAMETERS, TESTDB, build_warehouse


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory):
    return build_warehouse(tmp_path_factory.mktemp("validation") / "warehouse.duckdb")


@pytest.fixture(scope="session")
def testdb_suites():
    return build_suites(TESTDB)


@pytest.fixture(scope="session")
def onepass_outcomes(warehouse, testdb_suites):
    con = duckdb.connect(str(warehouse))
    try:
        return {o.check_id: o for o in validate_database(con, TESTDB, PARAMETERS, suites=testdb_suites)}
    finally:
        con.close()


@pytest.fixture(scope="session")
def failing_records(warehouse, onepass_outcomes):
    """check_id -> the first column's values (record ids) of the rows failing_rows_sql returns."""
    con = duckdb.connect(str(warehouse))
    try:
        failing = {}
        for check_id, o in onepass_outcomes.items():
            if o.row_level and o.success is not None:
                columns = set(table_columns(con, o.schema, o.table) or [])
                failing_sql = o.failing_rows_sql(columns)
                ensure_reference_tables(con, failing_sql)  # the commune list, as the pipeline's connection has it
                sql = failing_sql.sql("duckdb")
                failing[check_id] = [row[0] for row in con.execute(sql).fetchall()]
        return failing
    finally:
        con.close()


@pytest.fixture(scope="session")
def gx_context():
    from r57_pipelines.validation.gx.gx_duckdb import gx_context as make

    return make()


@pytest.fixture(scope="session")
def gx_outcomes(warehouse, testdb_suites, gx_context):
    from r57_pipelines.validation.gx.gx_duckdb import run_gx

    outcomes = {}
    for name, suite in testdb_suites.items():
        table = name.split(".", 1)[1]
        if table == "absent":  # not delivered: GX cannot even build a batch
            continue
        for o in run_gx(warehouse, "raw_testdb", table, suite, PARAMETERS):
            outcomes[o.check_id] = o
    return outcomes


@pytest.fixture
def memory_con():
    """An in-memory DuckDB connection with an empty schema `s`, for tests that build their own table."""
    con = duckdb.connect()
    con.execute("create schema s")
    yield con
    con.close()
