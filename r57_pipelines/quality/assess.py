"""Validate one loaded database with its committed suites, for one as-of date."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import duckdb

from r57_pipelines.paths import EXPECTATIONS_DIR
from r57_pipelines.quality.parameters import previous_table_rows, suite_parameters
from r57_pipelines.readiness.policy import Policy
from r57_pipelines.readiness.scoring import CheckRow, DimensionScore, score_dimensions
from r57_pipelines.registry import Database
from r57_pipelines.validation.onepass import validate_database
from r57_pipelines.validation.outcome import ExpectationOutcome
from r57_pipelines.validation.suites import load_suite


@dataclass(frozen=True)
class Assessment:
    outcomes: list[ExpectationOutcome]
    suite_sha256: dict[str, str]  # by table

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


def assess(con: duckdb.DuckDBPyConnection, database: Database, as_of: dt.date, policy: Policy) -> Assessment:
    suites, hashes = load_database_suites(database)
    parameters = suite_parameters(database, as_of, policy, previous_table_rows(con, database.id, as_of))
    return Assessment(validate_database(con, database, parameters, suites=suites), hashes)
