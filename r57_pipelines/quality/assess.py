"""Validate one loaded database with its committed suites, for one as-of date."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import duckdb

from r57_pipelines.paths import EXPECTATIONS_DIR
from r57_pipelines.quality.parameters import previous_table_rows, suite_parameters
from r57_pipelines.readiness.policy import Policy
from r57_pipelines.readiness.scoring import CheckRow, DimensionScore, score_dimensions
from r57_pipelines.registry import Database
from r57_pipelines.validation.onepass import validate_database
from r57_pipelines.validation.outcome import ExpectationOutcome, make_outcome
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
                     o.unexpected_count, o.success)
            for o in self.outcomes
        ]

    def scores(self, policy: Policy) -> dict[str, DimensionScore]:
        return score_dimensions(self.checks, policy)


def load_database_suites(database: Database) -> tuple[dict[str, dict], dict[str, str]]:
    """The committed suites (by `<db>.<table>`) and each file's sha256 by table (kept with every result).

    Suites are read from `expectations/` (reviewed files), never rebuilt at run time.
    """
    suites, hashes = {}, {}
    for path in sorted((EXPECTATIONS_DIR / database.id).glob("*.json")):
        suites[f"{database.id}.{path.stem}"] = load_suite(path)
        hashes[path.stem] = hashlib.sha256(path.read_bytes()).hexdigest()
    return suites, hashes


def validation_key(delivery_sha256: str | None, suite_sha256: dict[str, str], parameters: dict) -> str:
    material = json.dumps([delivery_sha256, suite_sha256, parameters], sort_keys=True, default=str)
    return hashlib.sha256(material.encode()).hexdigest()


def _reuse(
    con: duckdb.DuckDBPyConnection, database: Database, key: str, suites: dict[str, dict]
) -> list[ExpectationOutcome] | None:
    """The outcomes of the latest run with this validation key, rebuilt against the suites."""
    rows = con.execute(
        """
        with latest as (
            select arg_max(run_id, recorded_at) as run_id from r57.check_results
            where database_id = ? and validation_key = ?
        )
        select table_name, check_id, element_count, unexpected_count, success, observed_value
        from r57.check_results join latest using (run_id)
        where database_id = ?
        """,
        [database.id, key, database.id],
    ).fetchall()
    if not rows:
        return None
    expectations = {
        (name.split(".", 1)[1], e["meta"]["check_id"]): e for name, suite in suites.items() for e in suite["expectations"]
    }
    outcomes = []
    for table, check_id, elements, unexpected, success, observed in rows:
        expectation = expectations.get((table, check_id))
        if expectation is None:
            return None  # the suites changed after all: validate again
        outcomes.append(
            make_outcome(database.id, raw_schema(database.id), table, expectation, elements, unexpected, success,
                         json.loads(observed) if isinstance(observed, str) else observed)
        )
    return outcomes if len(outcomes) == len(expectations) else None


def assess(
    con: duckdb.DuckDBPyConnection,
    database: Database,
    as_of: dt.date,
    policy: Policy,
    delivery_sha256: str | None = None,
) -> Assessment:
    """Run the suites in DuckDB, or reuse an earlier run's outcomes for the same delivery, suites and parameters."""
    suites, hashes = load_database_suites(database)
    parameters = suite_parameters(database, as_of, policy, previous_table_rows(con, database.id, as_of))
    key = validation_key(delivery_sha256, hashes, parameters)
    if delivery_sha256 is not None and (previous := _reuse(con, database, key, suites)) is not None:
        return Assessment(previous, hashes, key, reused=True)
    return Assessment(validate_database(con, database, parameters, suites=suites), hashes, key)
