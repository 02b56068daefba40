"""Keep check outcomes (append-only) and failing rows (quarantine), and take masked samples."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import sqlglot.expressions as exp

from r57_pipelines.delivery.load import DELIVERY_INFO_TABLE
from r57_pipelines.masking import mask_value
from r57_pipelines.registry import ColumnKind, Database
from r57_pipelines.validation.onepass import table_column_types
from r57_pipelines.validation.outcome import ExpectationOutcome
from r57_pipelines.validation.reference import ensure_reference_tables
from r57_pipelines.validation.sqlbuild import DIALECT, column, dialect_as
from r57_pipelines.warehouse import qualified, quarantine_schema, quoted, tables_in

SAMPLE_ROWS = 5

# r57's own tables in raw_<db>: metadata of the delivery, nothing personal (masking.py shows these kinds).
OWN_TABLE_KINDS: dict[str, dict[str, ColumnKind]] = {
    DELIVERY_INFO_TABLE: {"extracted_at": ColumnKind.updated_at, "sha256": ColumnKind.code, "rows": ColumnKind.amount},
}


def record_outcomes(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    as_of: dt.date,
    outcomes: Iterable[ExpectationOutcome],
    suite_sha256: dict[str, str],
    gx_version: str,
    reference_version: str,
    delivery_sha256: str | None,
    validation_key: str,
    samples: dict[str, list[dict]] | None = None,
) -> None:
    """Append outcomes; `samples` (masked, by check id) are kept beside them for the reports."""
    samples = samples or {}
    records = [
        {
            "run_id": run_id, "as_of": as_of, "database_id": o.database, "table_name": o.table,
            "check_id": o.check_id, "expectation_type": o.expectation_type, "dimension": o.dimension,
            "severity": o.severity, "description": o.description, "element_count": o.element_count,
            "unexpected_count": o.unexpected_count, "success": o.success,
            "observed_value": json.dumps(o.observed_value, ensure_ascii=False, default=str),
            "suite_sha256": suite_sha256.get(o.table), "gx_version": gx_version,
            "reference_version": reference_version,
            "delivery_sha256": delivery_sha256, "validation_key": validation_key, "engine": o.engine,
            "masked_samples": json.dumps(samples[o.check_id], ensure_ascii=False) if samples.get(o.check_id) else None,
        }
        for o in outcomes
    ]
    if records:
        # One Arrow batch: DuckDB's executemany inserts row by row (6 s over the sample estate).
        # DuckDB reads the local Arrow table `outcomes_batch` by name (a replacement scan).
        outcomes_batch = pa.Table.from_pylist(records)  # noqa: F841
        con.execute("insert into r57.check_results by name select *, now() as recorded_at from outcomes_batch")


def quarantine_table(outcome: ExpectationOutcome) -> str:
    """Where a check's failing rows are kept: the table's name, prefixed when they come from the staging view."""
    return f"stg_{outcome.table}" if outcome.schema.startswith("stg_") else outcome.table


def quarantine_failing_rows(
    con: duckdb.DuckDBPyConnection,
    database: Database,
    run_id: str,
    outcomes: Iterable[ExpectationOutcome],
    spark: Any = None,
    lake: Path | None = None,
) -> dict[str, int]:
    """Replace `quarantine_<db>.<table>` with every failing row (all columns), tagged with its check.

    `spark` (an ``engines.SparkConnection``) and `lake`: the rows are selected by Spark from the lake's tables,
    written as Parquet under `<lake>/quarantine_<db>/` and read into the same DuckDB tables."""
    schema = quarantine_schema(database.id)
    con.execute(f"drop schema if exists {quoted(schema)} cascade")
    failing = [o for o in outcomes if o.evaluated and o.unexpected_count and o.row_level]
    if not failing:
        return {}
    con.execute(f"create schema {quoted(schema)}")
    queries: dict[str, list[exp.Select]] = {}
    columns_of: dict[str, dict[str, str]] = {}
    with dialect_as("spark" if spark is not None else DIALECT):
        for outcome in failing:
            name = quarantine_table(outcome)
            if name not in columns_of:
                columns_of[name] = table_column_types(con, outcome.schema, outcome.table) or {}
            failing_sql = outcome.failing_rows_sql(columns_of[name])
            ensure_reference_tables(spark if spark is not None else con, failing_sql)
            # The table's columns by name, not "*": rendered for Spark, a QUALIFY becomes a subquery whose
            # window column "*" would carry along.
            tagged = exp.select(
                exp.Literal.string(run_id).as_("_run_id"), exp.Literal.string(outcome.check_id).as_("_check_id"),
                *(column(c, "failing") for c in columns_of[name]),
            ).from_(failing_sql.subquery("failing"))
            queries.setdefault(name, []).append(tagged)
        if spark is not None:
            _quarantine_on_spark(con, spark, schema, queries, lake)
        else:
            for name, selects in queries.items():
                target = qualified(schema, name)
                con.execute(f"create table {target} as {selects[0].sql(dialect=DIALECT)}")
                for select in selects[1:]:
                    con.execute(f"insert into {target} by name {select.sql(dialect=DIALECT)}")
    return quarantine_counts(con, database)


def _quarantine_on_spark(
    con: duckdb.DuckDBPyConnection, spark: Any, schema: str, queries: dict[str, list[exp.Select]], lake: Path
) -> None:
    from r57_pipelines.validation.functions import register_used
    from r57_pipelines.warehouse.lake import import_parquet, table_folder

    # Instants as Parquet's UTC-adjusted TIMESTAMP_MICROS, which DuckDB reads back with their time zone
    # (Spark's default INT96 comes back as a local TIMESTAMP, and the samples would lose the offset).
    spark.session.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    for name, selects in queries.items():
        folder = table_folder(lake / schema, name)
        frames = []
        for select in selects:
            register_used(spark, select)
            frames.append(spark.session.sql(select.sql(dialect="spark")))
        rows = frames[0]
        for frame in frames[1:]:
            rows = rows.unionByName(frame)
        rows.write.mode("overwrite").parquet(str(folder))
        import_parquet(con, qualified(schema, name), folder)


def quarantine_counts(con: duckdb.DuckDBPyConnection, database: Database) -> dict[str, int]:
    schema = quarantine_schema(database.id)
    return {t: con.execute(f"select count(*) from {qualified(schema, t)}").fetchone()[0] for t in tables_in(con, schema)}


def sample_limit(outcome: ExpectationOutcome, limit: int = SAMPLE_ROWS) -> int:
    """GX's result_format, capped at ``limit``: BOOLEAN_ONLY keeps no values, partial_unexpected_count fewer."""
    result_format = outcome.expectation.get("kwargs", {}).get("result_format") or "BASIC"
    if isinstance(result_format, dict):
        level, count = result_format.get("result_format", "BASIC"), int(result_format.get("partial_unexpected_count", limit))
    else:
        level, count = result_format, limit
    return 0 if level == "BOOLEAN_ONLY" else min(limit, count)


def masked_samples(
    con: duckdb.DuckDBPyConnection, database: Database, outcome: ExpectationOutcome, limit: int = SAMPLE_ROWS
) -> list[dict[str, str | None]]:
    """A few failing values of the check's own columns, masked by their kind: from the quarantine, or from
    GX's partial_unexpected_list for a check that GX itself ran."""
    limit = sample_limit(outcome, limit)
    if not (outcome.unexpected_count and outcome.columns and limit):
        return []
    contract = {t.name: t for t in database.contract.tables}.get(outcome.table)
    kinds = {c.name.casefold(): c.kind for c in contract.columns} if contract else dict(OWN_TABLE_KINDS.get(outcome.table, {}))
    if outcome.engine == "gx":
        values = outcome.partial_unexpected_list or []
        rows = [v if isinstance(v, list | tuple) else list(v.values()) if isinstance(v, dict) else [v] for v in values[:limit]]
    elif outcome.row_level:
        source = qualified(quarantine_schema(database.id), quarantine_table(outcome))
        columns = ", ".join(quoted(c) for c in outcome.columns)
        try:
            # Ordered by the values shown: the same sample whichever engine (and thread) wrote the quarantine.
            rows = con.execute(
                f"select {columns} from {source} where _check_id = ? order by all limit {int(limit)}",
                [outcome.check_id],
            ).fetchall()
        except duckdb.Error:
            return []
    else:
        return []
    # Masked by kind (see masking.py); a column outside the contract has no kind (None): nothing of it is shown.
    kinds_of = [kinds.get(c.casefold()) for c in outcome.columns]
    return [{c: mask_value(kind, v) for c, kind, v in zip(outcome.columns, kinds_of, row)} for row in rows]
