"""The lake Spark reads: each database's delivered tables as Parquet, with the load order, rewritten only when
the delivery changes; failing rows Spark writes come back as a DuckDB table. No Spark needed."""

from __future__ import annotations

import duckdb

from r57_pipelines.delivery.load import load_delivery
from r57_pipelines.warehouse import ensure_schema
from r57_pipelines.warehouse.lake import STAMP, import_parquet, publish
from tests.builders import as_parquet, citizens, write_delivery


def _load(con, registry, sources, rows):  # noqa: ANN001, ANN202
    folder = write_delivery(sources, "population", "MPS", {"citizen": ("citizen.parquet", as_parquet(rows))})
    outcome = load_delivery(con, registry.databases["population"], folder)
    assert outcome.status == "loaded", outcome.error
    return outcome


def test_a_delivery_is_written_once_with_its_load_order_and_again_when_it_changes(tmp_path, registry):
    con = duckdb.connect()
    ensure_schema(con)
    lake = tmp_path / "lake"
    first = _load(con, registry, tmp_path / "sources", citizens() * 2)
    paths = publish(con, "population", lake)

    assert set(paths) == {"citizen", "_r57_delivery"}
    assert all("/t_" in p for p in paths.values())  # Spark skips folders starting with _ or .
    assert (lake / "raw_population" / STAMP).read_text() == first.delivery_sha256
    rows = con.execute(f"select _r57_rowid, personal_id from read_parquet('{paths['citizen']}/*.parquet')").fetchall()
    loaded = con.execute("select personal_id from raw_population.citizen").fetchall()
    assert [r[0] for r in rows] == list(range(len(loaded)))  # the load order, as DuckDB's rowid
    assert [(r[1],) for r in rows] == loaded

    written = (lake / "raw_population" / "t_citizen" / "part-0.parquet").stat().st_mtime_ns
    assert publish(con, "population", lake) == paths
    assert (lake / "raw_population" / "t_citizen" / "part-0.parquet").stat().st_mtime_ns == written

    second = _load(con, registry, tmp_path / "sources", citizens())
    publish(con, "population", lake)
    assert (lake / "raw_population" / STAMP).read_text() == second.delivery_sha256
    assert con.execute(f"select count(*) from read_parquet('{paths['citizen']}/*.parquet')").fetchone()[0] == len(citizens())


def test_a_database_with_nothing_loaded_has_no_tables_in_the_lake(tmp_path):
    con = duckdb.connect()
    ensure_schema(con)
    assert publish(con, "population", tmp_path / "lake") is None
    assert not (tmp_path / "lake").exists()


def test_rows_written_as_parquet_come_back_as_a_table(tmp_path):
    con = duckdb.connect()
    folder = tmp_path / "quarantine"
    folder.mkdir()
    con.execute(f"copy (select 'c1' as _check_id, 'x' as name) to '{folder}/part-00000.parquet' (format parquet)")
    con.execute("create schema q")
    import_parquet(con, '"q"."t"', folder)
    assert con.execute("select * from q.t").fetchall() == [("c1", "x")]
