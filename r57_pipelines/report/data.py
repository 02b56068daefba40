"""What a report shows, gathered once: readiness.json plus the warehouse's check details and history.

A ministry's bundle is the same data narrowed to its own databases (`for_ministry`): nothing of
another ministry's databases, not even in the national counts, reaches it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import duckdb

from r57_pipelines.readiness.evidence import latest_checks, national_trend
from r57_pipelines.readiness.publish import summarise_tiers
from r57_pipelines.readiness.scoring import CheckRow
from r57_pipelines.registry import Ministry, Registry

TREND_COUNTS = ("foundational", "partial", "not_started", "at_risk")


@dataclass(frozen=True)
class ReportData:
    document: dict  # readiness.json as published (or narrowed to one ministry)
    ministries: dict[str, Ministry]  # the ministries the report covers
    checks: dict[str, list[CheckRow]]  # by database: the outcomes its verdict used
    score_history: dict[str, list[dict]]  # by database: as_of, tier, at_risk and the four scores
    trend: dict[str, list[dict]]  # by programme: as_of and the counts of TREND_COUNTS
    ministry_trend: dict[str, dict[str, list[dict]]]  # by ministry, then programme: the same
    ministry: str | None = None  # set for a ministry's own bundle
    policy: dict = field(default_factory=dict)  # foundational thresholds, for the score tables

    @property
    def as_of(self) -> str:
        return self.document["as_of"]

    @property
    def databases(self) -> list[dict]:
        return self.document["databases"]

    def databases_of(self, ministry: str) -> list[dict]:
        return [d for d in self.databases if d["ministry"] == ministry]


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _iso(rows: list[dict]) -> list[dict]:
    return [{**r, "as_of": r["as_of"].isoformat() if isinstance(r["as_of"], dt.date) else r["as_of"]} for r in rows]


def load_report_data(con: duckdb.DuckDBPyConnection, registry: Registry, document: dict, policy: dict) -> ReportData:
    as_of = dt.date.fromisoformat(document["as_of"])
    score_history: dict[str, list[dict]] = {}
    for row in _iso(_rows(con, "select * from marts.database_readiness_history where as_of <= ?", [as_of])):
        score_history.setdefault(row.pop("database_id"), []).append(row)
    # Per ministry and programme (marts.readiness_counts): a ministry's page and its own bundle's trend.
    by_ministry_programme: dict[str, dict[str, list[dict]]] = {}
    for row in _iso(_rows(con, "select * from marts.readiness_counts where as_of <= ? order by as_of", [as_of])):
        point = {"as_of": row["as_of"], **{c: row[c] for c in TREND_COUNTS}}
        by_ministry_programme.setdefault(row["ministry"], {}).setdefault(row["programme"], []).append(point)
    # The national trend (marts.readiness_trend), also published in readiness.json as "history".
    document = {**document, "history": national_trend(con)}
    trend: dict[str, list[dict]] = {}
    for row in document["history"]:
        if row["as_of"] <= document["as_of"]:
            trend.setdefault(row["programme"], []).append({"as_of": row["as_of"], **{c: row[c] for c in TREND_COUNTS}})
    return ReportData(
        document=document,
        ministries=dict(registry.ministries),
        checks=latest_checks(con, as_of),
        score_history=score_history,
        trend=trend,
        ministry_trend=by_ministry_programme,
        policy=policy,
    )


def for_ministry(data: ReportData, registry: Registry, code: str) -> ReportData:
    """The same report with only `code`'s databases: its summary, its trend, its recollection."""
    if code not in registry.ministries:
        raise KeyError(f"no ministry with code {code!r}; known: {', '.join(sorted(registry.ministries))}")
    own = [d for d in data.databases if d["ministry"] == code]
    own_ids = {d["id"] for d in own}
    document = {
        **{k: v for k, v in data.document.items() if k not in ("history", "unmatched_deliveries")},
        "ministry": code,
        "summary": summarise_tiers(own),
        "databases": own,
        "master_data_recollection": {
            k: v for k, v in data.document.get("master_data_recollection", {}).items() if k == code
        },
    }
    mine = data.ministry_trend.get(code, {})
    return replace(
        data,
        document=document,
        ministries={code: registry.ministries[code]},
        checks={k: v for k, v in data.checks.items() if k in own_ids},
        score_history={k: v for k, v in data.score_history.items() if k in own_ids},
        trend=mine,
        ministry_trend={code: mine},
        ministry=code,
    )
