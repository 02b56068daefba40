"""Regression tests of the GX/DuckDB adapter: each patched behaviour, and that GX still needs it.

If an upgrade of GX, SQLAlchemy or duckdb-engine fixes one of the problems upstream,
``test_plain_gx_still_needs_the_adapter`` fails and says which patch can go.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import duckdb
import pytest

from r57_pipelines.validation.gx import gx_duckdb


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("adapter") / "small.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw_x")
    con.execute(
        "CREATE TABLE raw_x.t AS SELECT CAST(i AS VARCHAR) AS id, "
        "CASE WHEN i % 4 = 0 THEN 'bad' || CAST(i AS VARCHAR) ELSE '12345' END AS code FROM range(100) r(i)"
    )
    con.close()
    return path


def _suite(*expectations):
    return {
        "name": "x.t",
        "expectations": [
            {"type": t, "kwargs": k, "meta": {"check_id": f"t.{i}", "dimension": "correct", "severity": "major"}}
            for i, (t, k) in enumerate(expectations)
        ],
        "meta": {},
    }


def test_results_are_complete_not_one_row(small_db, gx_context):
    """The stream_results trap returns one row per query: the unexpected list would have one value."""
    suite = _suite(("expect_column_values_to_match_regex", {"column": "code", "regex": "^[0-9]{5}$"}))
    (outcome,) = gx_duckdb.run_gx(small_db, "raw_x", "t", suite, {}, result_format={"result_format": "SUMMARY"})
    assert (outcome.element_count, outcome.unexpected_count, outcome.success) == (100, 25, False)


def test_regex_is_a_partial_match_like_re_search(small_db, gx_context):
    suite = _suite(
        ("expect_column_values_to_match_regex", {"column": "code", "regex": "23"}),
        ("expect_column_values_to_not_match_regex", {"column": "code", "regex": "^bad"}),
    )
    search, negative = gx_duckdb.run_gx(small_db, "raw_x", "t", suite, {})
    assert search.unexpected_count == 25  # "12345" contains "23"; "badN" does not
    assert negative.unexpected_count == 25


def test_engine_results_survive_the_connection(small_db):
    """The IndexError cause: rows read after the connection went back to the pool."""
    import sqlalchemy as sa

    gx_duckdb.install()
    engine = sa.create_engine(f"duckdb:///{small_db}")
    try:
        with engine.connect() as connection:
            result = connection.execute(sa.text("SELECT id FROM raw_x.t ORDER BY CAST(id AS INTEGER)"))
        assert [r[0] for r in result.fetchall()] == [str(i) for i in range(100)]
    finally:
        engine.dispose()


def test_columns_are_reflected_outside_the_main_schema(small_db):
    import sqlalchemy as sa

    gx_duckdb.install()
    engine = sa.create_engine(f"duckdb:///{small_db}")
    try:
        columns = sa.inspect(engine).get_columns("t", schema="raw_x")
        assert [c["name"] for c in columns] == ["id", "code"]
        assert isinstance(columns[0]["type"], sa.String)
        with pytest.raises(sa.exc.NoSuchTableError):
            sa.inspect(engine).get_columns("nope", schema="raw_x")
    finally:
        engine.dispose()


def test_install_is_idempotent():
    gx_duckdb.install()
    gx_duckdb.install()
    from great_expectations.expectations.metrics import util

    assert util.get_dialect_regex_expression._r57_duckdb


def test_install_refuses_unpinned_versions(monkeypatch):
    import importlib.metadata

    monkeypatch.delenv("R57_GX_ADAPTER_UNPINNED", raising=False)
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "0.0.1")
    with pytest.raises(RuntimeError, match="pinned"):
        gx_duckdb._check_versions()


def test_plain_gx_still_needs_the_adapter(small_db):
    """Without the adapter, GX 1.24.1 on duckdb-engine cannot validate a table (see the module docstring)."""
    code = textwrap.dedent(
        f"""
        import json, warnings
        warnings.simplefilter("ignore")
        import great_expectations as gx
        import great_expectations.expectations as gxe
        context = gx.get_context(mode="ephemeral")
        source = context.data_sources.add_sql(name="plain", connection_string="duckdb:///{small_db}")
        batch = source.add_table_asset("t", table_name="t", schema_name="raw_x").add_batch_definition_whole_table("w").get_batch()
        result = batch.validate(gxe.ExpectColumnValuesToMatchRegex(column="code", regex="^[0-9]+$"))
        print(json.dumps(result.to_json_dict()["exception_info"], default=str))
        """
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    info = json.loads(run.stdout.strip().splitlines()[-1])
    messages = json.dumps(info)
    assert "raised_exception\": true" in messages
    assert any(sign in messages for sign in ("IndexError", "Regex is not supported", "does not exist")), messages[:2000]
