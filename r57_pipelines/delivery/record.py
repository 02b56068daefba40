"""Write a delivery outcome to r57.deliveries; a rerun for the same as-of replaces its row."""

from __future__ import annotations

import datetime as dt
import json

import duckdb

from r57_pipelines.delivery.load import DeliveryOutcome


def record_delivery(
    con: duckdb.DuckDBPyConnection, run_id: str, as_of: dt.date, ministry: str, outcome: DeliveryOutcome
) -> None:
    con.execute("begin transaction")
    con.execute("delete from r57.deliveries where as_of = ? and database_id = ?", [as_of, outcome.database_id])
    con.execute(
        """
        insert into r57.deliveries (
            run_id, as_of, database_id, ministry, status, error, folder, extracted_at, delivery_sha256, files,
            total_bytes, total_rows, load_seconds, findings, recorded_at
        ) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())
        """,
        [
            run_id,
            as_of,
            outcome.database_id,
            ministry,
            outcome.status,
            outcome.error,
            outcome.folder,
            outcome.extracted_at,
            outcome.delivery_sha256,
            json.dumps(outcome.files_json(), ensure_ascii=False),
            outcome.total_bytes,
            outcome.total_rows,
            outcome.load_seconds,
            json.dumps(outcome.findings, ensure_ascii=False),
        ],
    )
    con.execute("commit")
