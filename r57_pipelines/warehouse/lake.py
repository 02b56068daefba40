"""The Spark engine's copy of the delivered tables: ``raw_<db>`` as Parquet, and failing rows back.

With ``warehouse.engine: spark`` Spark reads each database's delivered tables from
``<lake>/raw_<db>/t_<table>/`` (Parquet; text columns exactly as r57's readers loaded them, plus the load
order in ``LOAD_ORDER_COLUMN``). The delivery is read once, by r57's readers (encodings, byte-order marks,
delimiter sniffing, XLSX: ``delivery/readers.py``), so both engines judge the same table. A database's
folder is rewritten only when its delivery changed: a stamp file names the delivery's sha256.

A table's folder is ``t_<table>`` (``table_folder``): Spark skips paths that start with ``_`` or ``.``, and
``_r57_delivery`` is r57's own table.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
from sqlglot import exp

from r57_pipelines.delivery.load import DELIVERY_INFO_TABLE
from r57_pipelines.validation.sqlbuild import DIALECT, LOAD_ORDER_COLUMN
from r57_pipelines.warehouse import qualified, quoted, raw_schema, tables_in

STAMP = ".delivery_sha256"  # in the schema's folder; Spark ignores dot files


def table_folder(schema_folder: Path, table: str) -> Path:
    return schema_folder / f"t_{table}"


def _spark_table(schema: str, table: str | None = None) -> exp.Expression:
    """A quoted Spark name, ``schema`` or ``schema.table``: rendered by sqlglot, never formatted by hand."""
    if table is None:
        return exp.to_identifier(schema, quoted=True)
    return exp.Table(this=exp.to_identifier(table, quoted=True), db=exp.to_identifier(schema, quoted=True))


def export_duckdb_table(con: Any, schema: str, table: str, folder: Path | str) -> str:
    """Write a DuckDB table to ``<folder>/<schema>/t_<table>/part-0.parquet`` with its load order (``rowid``)
    as ``LOAD_ORDER_COLUMN``; the table's folder."""
    target = table_folder(Path(folder) / schema, table)
    target.mkdir(parents=True, exist_ok=True)
    file = exp.Literal.string(str(target / "part-0.parquet"))
    con.execute(
        f"COPY (SELECT rowid AS {quoted(LOAD_ORDER_COLUMN)}, * FROM {qualified(schema, table)} ORDER BY rowid) "
        f"TO {file.sql(DIALECT)} (FORMAT parquet)"
    )
    return str(target)


def register_parquet(session: Any, schema: str, table: str, path: str) -> None:
    """``schema.table`` in Spark's catalog over a Parquet folder (an external table: no copy)."""
    name, location = _spark_table(schema, table), exp.Literal.string(path)
    session.sql(f"CREATE DATABASE IF NOT EXISTS {_spark_table(schema).sql('spark')}")
    session.sql(f"DROP TABLE IF EXISTS {name.sql('spark')}")
    session.sql(f"CREATE TABLE {name.sql('spark')} USING parquet LOCATION {location.sql('spark')}")


def publish(con: duckdb.DuckDBPyConnection, database_id: str, lake: Path) -> dict[str, str] | None:
    """``raw_<db>`` in the lake, rewritten when its delivery changed: {table: folder}; None when nothing of the
    database is loaded."""
    schema = raw_schema(database_id)
    tables = sorted(tables_in(con, schema))
    if DELIVERY_INFO_TABLE not in tables:
        return None
    (sha256,) = con.execute(f"select sha256 from {qualified(schema, DELIVERY_INFO_TABLE)}").fetchone()
    folder = lake / schema
    stamp = folder / STAMP
    paths = {t: str(table_folder(folder, t)) for t in tables}
    if stamp.exists() and stamp.read_text() == sha256 and all(Path(p).is_dir() for p in paths.values()):
        return paths
    if folder.exists():
        shutil.rmtree(folder)
    for table in tables:
        export_duckdb_table(con, schema, table, lake)
    stamp.write_text(sha256)
    return paths


def register_databases(spark: Any, con: duckdb.DuckDBPyConnection, database_ids: list[str], lake: Path) -> None:
    """The loaded tables of these databases in Spark's catalog, as ``raw_<db>.<table>`` (what the compiled SQL
    names); a database with nothing loaded has no schema on Spark either, as on DuckDB."""
    for database_id in database_ids:
        schema = raw_schema(database_id)
        paths = publish(con, database_id, lake)
        stamp = _read_stamp(lake / schema) if paths else None
        if stamp is not None and spark.registered.get(schema) == stamp:
            continue  # a master already registered for an earlier database of the run
        spark.session.sql(f"DROP DATABASE IF EXISTS {_spark_table(schema).sql('spark')} CASCADE")
        for table, path in (paths or {}).items():
            register_parquet(spark.session, schema, table, path)
        spark.registered[schema] = stamp


def _read_stamp(folder: Path) -> str | None:
    stamp = folder / STAMP
    return stamp.read_text() if stamp.exists() else None


def import_parquet(con: duckdb.DuckDBPyConnection, target: str, folder: Path) -> None:
    """Rows Spark wrote as Parquet (e.g. failing rows) as a new DuckDB table; ``target`` is ``qualified()``."""
    files = exp.Literal.string(str(folder / "*.parquet"))
    con.execute(f"create table {target} as select * from read_parquet({files.sql(DIALECT)})")
