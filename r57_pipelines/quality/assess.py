"""Validate one loaded database with its committed suites, for one as-of date."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from r57_pipelines.domain.communes import reference_version
from r57_pipelines.paths import EXPECTATIONS_DIR
from r57_pipelines.quality.parameters import previous_table_rows, suite_parameters
from r57_pipelines.readiness.policy import Policy
from r57_pipelines.readiness.scoring import CheckRow, DimensionScore, score_dimensions
from r57_pipelines.registry import Database
from r57_pipelines.validation.onepass import validate_database
from r57_pipelines.validation.outcome import ExpectationOutcome, make_outcome, not_evaluated_reason
from r57_pipelines.validation.authored import finding_outcomes, load_authored, table_of, with_defaults
from r57_pipelines.validation.suites import load_suite
from r57_pipelines.warehouse import raw_schema


@dataclass(frozen=True)
class Assessment:
    outcomes: list[ExpectationOutcome]
    suite_sha256: dict[str, str]  # by table
    validation_key: str
    reused: bool = False  # outcomes taken from an earlier run with the same validation key

    @property
    def checks(self) -> list[CheckRow]:
        return [
            CheckRow(o.check_id, o.table, o.dimension, o.severity, o.description, o.element_count,
                     o.unexpected_count, o.success, engine=o.engine, not_evaluated_reason=not_evaluated_reason(o),
                     expectation_type=o.expectation_type)
            for o in self.outcomes
        ]

    def scores(self, policy: Policy) -> dict[str, DimensionScore]:
        return score_dimensions(self.checks, policy)


@dataclass(frozen=True)
class DatabaseSuites:
    suites: dict[str, dict]  # "<db>.<table>" (generated) and "<db>.authored.<table>" -> suite
    sha256: dict[str, str]  # by table: over its generated and authored files (kept with every result)
    findings: list[str]  # what was wrong with the authored suites ("<file>: <problem>")

    def finding_outcomes(self, database_id: str) -> list[ExpectationOutcome]:
        return finding_outcomes(database_id, self.findings)


def load_database_suites(database: Database, expectations_dir: Path = EXPECTATIONS_DIR) -> DatabaseSuites:
    """The reviewed suites of a database: generated (``<db>/<table>.json``) and authored (``<db>/authored/``).

    Suites are read from the expectations folder, never rebuilt at run time.
    """
    suites, digests = {}, {}
    for path in sorted((expectations_dir / database.id).glob("*.json")):
        suites[f"{database.id}.{path.stem}"] = load_suite(path)
        digests[path.stem] = [hashlib.sha256(path.read_bytes()).hexdigest()]
    taken = [e["meta"]["check_id"] for suite in suites.values() for e in suite["expectations"]]
    columns = {t.name: [c.name for c in t.columns] for t in database.contract.tables}
    authored = load_authored(expectations_dir, database.id, columns, taken)
    suites.update(authored.suites)
    for name, digest in sorted(authored.sha256.items()):
        digests.setdefault(table_of(Path(name)), []).append(digest)
    hashes = {
        table: parts[0] if len(parts) == 1 else hashlib.sha256("".join(parts).encode()).hexdigest()
        for table, parts in digests.items()
    }
    return DatabaseSuites(suites, hashes, authored.findings)


def validation_key(
    delivery_sha256: str | None, suite_sha256: dict[str, str], parameters: dict, engine: str = "duckdb"
) -> str:
    """Equal keys give equal outcomes: the delivery, the suites, their parameters and the reference list
    the commune rules read (its version). The engines give equal outcomes too, but a run switched to Spark
    validates on Spark rather than reuse DuckDB's (DuckDB's keys are as they were before Spark)."""
    material = [delivery_sha256, suite_sha256, parameters, reference_version()] + ([engine] if engine != "duckdb" else [])
    material = json.dumps(material, sort_keys=True, default=str)
    return hashlib.sha256(material.encode()).hexdigest()


def _reuse(
    con: duckdb.DuckDBPyConnection, database: Database, key: str, suites: DatabaseSuites
) -> list[ExpectationOutcome] | None:
    """The outcomes of the latest run with this validation key, rebuilt against the suites."""
    rows = con.execute(
        """
        with latest as (
            select arg_max(run_id, recorded_at) as run_id from r57.check_results
            where database_id = ? and validation_key = ?
        )
        select table_name, check_id, element_count, unexpected_count, success, observed_value, engine
        from r57.check_results join latest using (run_id)
        where database_id = ?
        """,
        [database.id, key, database.id],
    ).fetchall()
    if not rows:
        return None
    expectations = {
        (_table_of(name, suite), with_defaults(e, _table_of(name, suite))["meta"]["check_id"]): with_defaults(e, _table_of(name, suite))
        for name, suite in suites.suites.items()
        for e in suite["expectations"]
    }
    expectations.update({(o.table, o.check_id): o.expectation for o in suites.finding_outcomes(database.id)})
    outcomes = []
    for table, check_id, elements, unexpected, success, observed, engine in rows:
        expectation = expectations.get((table, check_id))
        if expectation is None:
            return None  # the suites changed after all: validate again
        outcomes.append(
            make_outcome(database.id, raw_schema(database.id), table, expectation, elements, unexpected, success,
                         json.loads(observed) if isinstance(observed, str) else observed, engine=engine or "onepass")
        )
    return outcomes if len(outcomes) == len(expectations) else None


def _table_of(name: str, suite: dict) -> str:
    return suite.get("meta", {}).get("r57", {}).get("table") or name.split(".", 1)[1]


def assess(
    con: duckdb.DuckDBPyConnection,
    database: Database,
    as_of: dt.date,
    policy: Policy,
    delivery_sha256: str | None = None,
    expectations_dir: Path = EXPECTATIONS_DIR,
    spark: Callable[[], Any] | None = None,
) -> Assessment:
    """Run the suites in DuckDB, or reuse an earlier run's outcomes for the same delivery, suites and parameters.

    Authored suites run beside the generated ones; their findings (a malformed file or expectation) are kept
    as outcomes that are not evaluated. GX custom expectations are imported from ``<expectations_dir>/plugins``.
    ``spark``: validate on Spark instead, on the connection this returns (called only when the suites run:
    ``engines.SparkConnection`` with the database's tables registered).
    """
    suites = load_database_suites(database, expectations_dir)
    parameters = suite_parameters(database, as_of, policy, previous_table_rows(con, database.id, as_of))
    key = validation_key(delivery_sha256, suites.sha256, parameters, "spark" if spark else "duckdb")
    if delivery_sha256 is not None and (previous := _reuse(con, database, key, suites)) is not None:
        return Assessment(previous, suites.sha256, key, reused=True)
    outcomes = validate_database(
        spark() if spark else con, database, parameters, suites=suites.suites, plugins=expectations_dir / "plugins",
        dialect="spark" if spark else "duckdb",
    )
    return Assessment(outcomes + suites.finding_outcomes(database.id), suites.sha256, key)
