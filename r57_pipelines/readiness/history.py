"""r57.readiness: one verdict per database and as-of date; rerunning an as-of replaces its rows."""

from __future__ import annotations

import datetime as dt
import json

import duckdb

from r57_pipelines.readiness.classify import DatabaseEvidence, Verdict, weakest_shortfall
from r57_pipelines.readiness.policy import Policy
from r57_pipelines.registry import Registry


def record_verdicts(
    con: duckdb.DuckDBPyConnection,
    registry: Registry,
    as_of: dt.date,
    run_id: str,
    evidence: dict[str, DatabaseEvidence],
    verdicts: dict[str, Verdict],
    policy: Policy,
) -> None:
    rows = []
    for db in registry.databases.values():
        ev, verdict = evidence[db.id], verdicts[db.id]
        scores = {d: s.score for d, s in ev.scores.items()}
        scores["weakest_shortfall"] = weakest_shortfall(ev.scores, policy)
        rows.append(
            (as_of, run_id, db.id, db.ministry, db.programme, verdict.tier, verdict.at_risk,
             json.dumps(verdict.risk_reasons, ensure_ascii=False), json.dumps(scores))
        )
    con.execute("begin transaction")
    con.execute("delete from r57.readiness where as_of = ?", [as_of])
    con.executemany("insert into r57.readiness values (?, ?, ?, ?, ?, ?, ?, ?, ?, now())", rows)
    con.execute("commit")
