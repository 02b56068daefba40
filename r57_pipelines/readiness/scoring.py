"""Dimension scores 0-100 from check outcomes (docs/scoring.md)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from r57_pipelines.readiness.policy import DIMENSIONS, Policy
from r57_pipelines.validation.authored import is_suite_finding


@dataclass(frozen=True)
class CheckRow:
    """One check outcome as stored in r57.check_results."""

    check_id: str
    table_name: str
    dimension: str
    severity: str
    description: str
    element_count: int
    unexpected_count: int
    success: bool | None  # None: not evaluated
    masked_samples: tuple[dict, ...] = ()  # a few failing values, masked (for reports only)
    engine: str = "onepass"  # onepass: compiled into r57's query; gx: run by Great Expectations itself
    not_evaluated_reason: str | None = None  # why it was not evaluated (table not delivered, a suite finding ...)
    expectation_type: str = ""  # the GX type: with the check id, how the check is said (check_wording.py)

    @property
    def evaluated(self) -> bool:
        return self.success is not None

    @property
    def pass_rate(self) -> float:
        """Share of units passing; a table-level check (no row units) passes whole or not at all."""
        if self.element_count > 0:
            return max(0.0, 1.0 - self.unexpected_count / self.element_count)
        return 1.0 if self.success else 0.0

    @property
    def score(self) -> float:
        """1 when the check meets its own tolerance (GX `mostly`), else the share of units passing."""
        return 1.0 if self.success else self.pass_rate


@dataclass(frozen=True)
class DimensionScore:
    score: float | None  # None: unassessed, never 100
    evaluated: int
    total: int

    @property
    def coverage(self) -> float:
        return self.evaluated / self.total if self.total else 0.0

    def as_json(self) -> dict:
        return {
            "score": None if self.score is None else round(self.score, 2),
            "checks_evaluated": self.evaluated,
            "checks_total": self.total,
        }


def score_dimensions(checks: Iterable[CheckRow], policy: Policy) -> dict[str, DimensionScore]:
    weights = policy.scoring.severity_weights
    by_dimension: dict[str, list[CheckRow]] = {d: [] for d in DIMENSIONS}
    for check in checks:
        if not is_suite_finding(check.not_evaluated_reason):  # an authored suite's problem, not the data's
            by_dimension[check.dimension].append(check)
    scores = {}
    for dimension, rows in by_dimension.items():
        evaluated = [r for r in rows if r.evaluated]
        weight = sum(weights[r.severity] for r in evaluated)
        score = 100.0 * sum(weights[r.severity] * r.score for r in evaluated) / weight if weight else None
        scores[dimension] = DimensionScore(score, len(evaluated), len(rows))
    return scores
