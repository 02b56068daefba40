"""The DuckDB warehouse: r57's own tables and helpers to name things safely in SQL."""

from importlib import resources

import duckdb
import sqlglot.expressions as exp


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create r57's tables if they are missing (idempotent)."""
    con.execute(resources.files("r57_pipelines.warehouse").joinpath("schema.sql").read_text(encoding="utf-8"))


def raw_schema(database_id: str) -> str:
    """Schema holding a database's latest loaded delivery, one table per delivered table."""
    return f"raw_{database_id}"


def qualified(schema: str, table: str) -> str:
    """`"schema"."table"`, quoted by sqlglot: names from deliveries never reach SQL unquoted.

    Built from two identifiers rather than `exp.table_`, which drops an empty part (`"raw_x"` for table
    ""): an empty name must stay an (invalid) empty identifier, never become another table.
    """
    return exp.Table(this=exp.to_identifier(table, quoted=True), db=exp.to_identifier(schema, quoted=True)).sql(
        dialect="duckdb"
    )


def quoted(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql(dialect="duckdb")


def quarantine_schema(database_id: str) -> str:
    """Schema holding, per table, every row of the latest run that failed a row-level check."""
    return f"quarantine_{database_id}"


def tables_in(con: duckdb.DuckDBPyConnection, schema: str) -> set[str]:
    """Tables and views of a schema (empty when the schema does not exist)."""
    rows = con.execute("select table_name from information_schema.tables where table_schema = ?", [schema])
    return {r[0] for r in rows.fetchall()}


def table_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    """Column names of a table or view (empty when it does not exist)."""
    rows = con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [schema, table],
    )
    return {r[0] for r in rows.fetchall()}
