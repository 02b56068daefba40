"""Gather each database's evidence for one as-of date from the warehouse."""

from __future__ import annotations

import datetime as dt
import json

import duckdb

from r57_pipelines.readiness.classify import DatabaseEvidence
from r57_pipelines.readiness.policy import Policy
from r57_pipelines.readiness.scoring import CheckRow, score_dimensions
from r57_pipelines.registry import Registry
from r57_pipelines.locale_format import VIETNAM


def latest_checks(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, list[CheckRow]]:
    """Each database's newest check outcomes up to this as-of (older runs stay for audit).

    "Up to", not "at": a sensor run re-evaluates only changed deliveries, and the others keep their
    latest evidence.
    """
    rows = con.execute(
        """
        with latest as (
            select database_id, arg_max(run_id, (as_of, recorded_at)) as run_id
            from r57.check_results where as_of <= ? group by database_id
        )
        select c.database_id, check_id, table_name, dimension, severity, coalesce(description, check_id),
               coalesce(element_count, 0), coalesce(unexpected_count, 0), success, masked_samples,
               coalesce(engine, 'onepass'), observed_value->>'$.not_evaluated', expectation_type
        from r57.check_results c join latest using (database_id, run_id)
        order by c.database_id, table_name, check_id
        """,
        [as_of],
    ).fetchall()
    checks: dict[str, list[CheckRow]] = {}
    for db, *fields, samples, engine, reason, kind in rows:
        masked = tuple(json.loads(samples)) if samples else ()
        checks.setdefault(db, []).append(CheckRow(*fields, masked, engine, reason if fields[-1] is None else None, kind))
    return checks


def deliveries(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, dict]:
    cursor = con.execute(
        """
        select database_id, status, error, folder, extracted_at, delivery_sha256, files, total_bytes,
               total_rows, load_seconds, findings
        from r57.deliveries
        where as_of <= ?
        qualify row_number() over (partition by database_id order by as_of desc, recorded_at desc) = 1
        """,
        [as_of],
    )
    names = [c[0] for c in cursor.description]
    result = {}
    for row in cursor.fetchall():
        record = dict(zip(names, row))
        record["files"] = json.loads(record["files"]) if isinstance(record["files"], str) else record["files"]
        record["findings"] = (json.loads(record["findings"]) if isinstance(record["findings"], str) else record["findings"]) or []
        result[record["database_id"]] = record
    return result


def previous_verdicts(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, str]:
    """Each database's tier at the latest as-of before this one."""
    rows = con.execute(
        """
        select database_id, arg_max(tier, as_of) from r57.readiness where as_of < ? group by database_id
        """,
        [as_of],
    ).fetchall()
    return dict(rows)


def shortfall_history(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, list[tuple[dt.date, float]]]:
    rows = con.execute(
        """
        select database_id, as_of, try_cast(scores->>'$.weakest_shortfall' as double) as shortfall
        from r57.readiness where as_of < ? and shortfall is not null order by as_of
        """,
        [as_of],
    ).fetchall()
    history: dict[str, list[tuple[dt.date, float]]] = {}
    for db, day, shortfall in rows:
        history.setdefault(db, []).append((day, shortfall))
    return history


def gather_evidence(
    con: duckdb.DuckDBPyConnection, registry: Registry, as_of: dt.date, policy: Policy
) -> tuple[dict[str, DatabaseEvidence], dict[str, dict]]:
    delivered = deliveries(con, as_of)
    checks = latest_checks(con, as_of)
    previous = previous_verdicts(con, as_of)
    history = shortfall_history(con, as_of)
    as_of_end = dt.datetime.combine(as_of, dt.time.max, tzinfo=VIETNAM)
    evidence = {}
    for db in registry.databases.values():
        record = delivered.get(db.id, {"status": "absent", "error": None, "extracted_at": None})
        extracted = record.get("extracted_at")
        db_checks = checks.get(db.id, []) if record["status"] in ("loaded", "unchanged") else []
        evidence[db.id] = DatabaseEvidence(
            database_id=db.id,
            deadline=db.deadline,
            cadence=db.cadence,
            delivery_status=record["status"],
            delivery_error=record.get("error"),
            extract_age_days=(as_of_end - extracted).total_seconds() / 86400 if extracted else None,
            scores=score_dimensions(db_checks, policy),
            checks=db_checks,
            previous_tier=previous.get(db.id),
            history=history.get(db.id, []),
        )
    return evidence, delivered


def recollection_summary(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, dict]:
    """Per ministry: re-collected master-data fields and their disagreement with the population database."""
    cursor = con.execute(
        """
        select ministry, count(distinct database_id) as databases, count(*) as fields,
               sum(matched)::bigint as values_compared, sum(disagreeing)::bigint as disagreeing
        from r57.master_recollection where as_of = ? group by ministry order by ministry
        """,
        [as_of],
    )
    names = [c[0] for c in cursor.description]
    return {row[0]: dict(zip(names[1:], row[1:])) for row in cursor.fetchall()}


def national_trend(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every as-of date's summary per programme (marts.readiness_trend), oldest first."""
    cursor = con.execute("select * from marts.readiness_trend order by as_of, programme")
    names = [c[0] for c in cursor.description]
    return [
        {**dict(zip(names, row)), "as_of": row[names.index("as_of")].isoformat()} for row in cursor.fetchall()
    ]
