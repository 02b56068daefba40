"""readiness.json: the stable contract for reviewers' own tools, written atomically."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

from r57_pipelines.readiness.classify import FOUNDATIONAL, NOT_STARTED, PARTIAL, DatabaseEvidence, Verdict
from r57_pipelines.readiness.policy import DIMENSIONS
from r57_pipelines.registry import Registry
from r57_pipelines.locale_format import VIETNAM
from r57_pipelines.validation.authored import is_suite_finding

SCHEMA_VERSION = 1


def write_json_atomically(path: Path, document: dict) -> None:
    """Write beside the target then rename: a reader or a killed run never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, indent=2, default=str)
            handle.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


PROGRAMMES = ("plan02_key", "r71")


def summarise_tiers(databases: list[dict]) -> dict[str, dict[str, int]]:
    """Per programme, in the shape of the published status, over readiness.json's database entries."""
    summary = {}
    for programme in PROGRAMMES:
        mine = [d for d in databases if d["programme"] == programme]
        tiers = [d["tier"] for d in mine]
        summary[programme] = {
            "total": len(mine),
            FOUNDATIONAL: tiers.count(FOUNDATIONAL),
            PARTIAL: tiers.count(PARTIAL),
            NOT_STARTED: tiers.count(NOT_STARTED),
            "at_risk": sum(d["at_risk"] for d in mine),
            "partial_not_at_risk": sum(d["tier"] == PARTIAL and not d["at_risk"] for d in mine),
            # At-risk cuts across tiers: the at-risk databases by their tier, so the headline adds up to the table.
            **{f"at_risk_{tier}": sum(d["tier"] == tier and d["at_risk"] for d in mine) for tier in (FOUNDATIONAL, PARTIAL, NOT_STARTED)},
        }
    return summary


def readiness_document(
    registry: Registry,
    as_of: dt.date,
    run_id: str,
    evidence: dict[str, DatabaseEvidence],
    deliveries: dict[str, dict],
    verdicts: dict[str, Verdict],
    unmatched: list[dict],
) -> dict:
    databases = []
    for db in registry.databases.values():
        ev, verdict, delivery = evidence[db.id], verdicts[db.id], deliveries.get(db.id, {"status": "absent"})
        evaluated = [c for c in ev.checks if c.evaluated]
        databases.append(
            {
                "id": db.id,
                "name": db.name_en,
                "name_vi": db.name_vi,
                "ministry": db.ministry,
                "programme": db.programme,
                "deadline": db.deadline.isoformat(),
                "cadence": db.cadence,
                "tier": verdict.tier,
                "at_risk": verdict.at_risk,
                "risk_reasons": verdict.risk_reasons,
                "to_next_tier": verdict.to_next_tier,
                "risk_reasons_vi": verdict.risk_reasons_vi,
                "to_next_tier_vi": verdict.to_next_tier_vi,
                "scores": {d: ev.scores[d].as_json()["score"] for d in DIMENSIONS},
                "score_coverage": {d: ev.scores[d].as_json() for d in DIMENSIONS},
                "rows": delivery.get("total_rows"),
                "delivery": {
                    "status": delivery["status"],
                    "error": delivery.get("error"),
                    "folder": delivery.get("folder"),
                    "extracted_at": (
                        delivery["extracted_at"].astimezone(VIETNAM).isoformat() if delivery.get("extracted_at") else None
                    ),
                    "sha256": delivery.get("delivery_sha256"),
                    "bytes": delivery.get("total_bytes") if delivery.get("files") else None,  # nothing was read
                    # the files' stat (size, mtime, inode) only tells the next load whether to hash again
                    "files": [{k: v for k, v in f.items() if k != "stat"} for f in delivery.get("files") or []],
                    "findings": delivery.get("findings") or [],
                },
                "checks": {
                    "evaluated": len(evaluated),
                    "failed": sum(not c.success for c in evaluated),
                    # Which engine judged them: r57's compiled query, or Great Expectations itself.
                    "by_engine": {e: sum(c.engine == e for c in evaluated) for e in ("onepass", "gx")},
                },
                # Authored suites that could not be used as written (file and expectation named).
                "suite_findings": [c.not_evaluated_reason for c in ev.checks if is_suite_finding(c.not_evaluated_reason)],
            }
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "as_of": as_of.isoformat(),
        "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "run_id": run_id,
        "summary": summarise_tiers(databases),
        "databases": databases,
        "unmatched_deliveries": unmatched,
    }
