"""The tier and at-risk verdict for one database, with reasons in plain words (docs/readiness.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from r57_pipelines.readiness.policy import DIMENSIONS, Policy
from r57_pipelines.readiness.scoring import CheckRow, DimensionScore
from r57_pipelines.readiness.check_wording import check_text, table_label
from r57_pipelines.readiness.wording import Decimal, Said, Share, delivery_problem, say

FOUNDATIONAL, PARTIAL, NOT_STARTED = "foundational", "partial", "not_started"
TIER_RANK = {NOT_STARTED: 0, PARTIAL: 1, FOUNDATIONAL: 2}


@dataclass(frozen=True)
class DatabaseEvidence:
    """Everything the verdict may use about one database, gathered by the estate asset."""

    database_id: str
    deadline: dt.date
    cadence: str
    delivery_status: str  # loaded | unchanged | rejected | absent
    delivery_error: str | None
    extract_age_days: float | None
    scores: dict[str, DimensionScore]
    checks: list[CheckRow]
    previous_tier: str | None = None
    # (as_of, weakest dimension's shortfall from its threshold, points; negative = above) of past runs.
    history: list[tuple[dt.date, float]] = field(default_factory=list)


@dataclass(frozen=True)
class Verdict:
    tier: str
    at_risk: bool
    risk_reasons: list[str]
    to_next_tier: list[str]  # what it takes to reach the next tier, in plain words
    risk_reasons_vi: list[str] = field(default_factory=list)  # the same, in Vietnamese
    to_next_tier_vi: list[str] = field(default_factory=list)


def weakest_shortfall(scores: dict[str, DimensionScore], policy: Policy) -> float | None:
    """Points by which the weakest assessed dimension is under its threshold (negative: above)."""
    gaps = [
        policy.tiers.foundational.min_score[d] - s.score for d, s in scores.items() if s.score is not None
    ]
    return max(gaps) if gaps else None


def failing_badly(checks: list[CheckRow], policy: Policy) -> list[CheckRow]:
    """Failed checks under their severity's pass-rate floor: each one alone blocks foundational."""
    floors = policy.tiers.foundational.min_pass_rate
    return [c for c in checks if c.success is False and c.pass_rate < floors[c.severity]]


def _check_said(check: CheckRow) -> tuple[Said, Said]:
    """A failing check's table and what it found, in plain words."""
    failing = check_text(check.check_id, check.table_name, check.expectation_type, failing=True)
    return table_label(check.table_name), failing


def _worst_failing(checks: list[CheckRow], dimension: str, policy: Policy) -> CheckRow | None:
    """The failing check that costs ``dimension`` the most points (severity weight x failing share)."""
    weights = policy.scoring.severity_weights
    failing = [c for c in checks if c.dimension == dimension and c.success is False]
    return max(failing, key=lambda c: (weights[c.severity] * (1 - c.pass_rate), c.unexpected_count), default=None)


def _blockers(evidence: DatabaseEvidence, policy: Policy) -> list[Said]:
    """Why the database is not foundational, each naming what is wrong; empty means it is."""
    rules = policy.tiers.foundational
    margin = policy.tiers.hysteresis_points if evidence.previous_tier == FOUNDATIONAL else 0.0
    badly = failing_badly(evidence.checks, policy)
    blockers = []
    for dimension in DIMENSIONS:
        score = evidence.scores[dimension]
        threshold = rules.min_score[dimension]
        if score.score is None:
            blockers.append(say("not_assessed", dimension=dimension))
        elif score.score < threshold - margin:
            worst = _worst_failing(evidence.checks, dimension, policy)
            if worst is not None and worst not in badly:  # a check failing badly is named on its own below
                table, check = _check_said(worst)
                blockers.append(
                    say("below_threshold_worst", dimension=dimension, score=Decimal(score.score), threshold=Decimal(threshold, 0),
                        table=table, check=check, unexpected=worst.unexpected_count, elements=worst.element_count)
                )
            else:
                blockers.append(say("below_threshold", dimension=dimension, score=Decimal(score.score), threshold=Decimal(threshold, 0)))
        if score.total and score.coverage < rules.min_check_coverage:
            blockers.append(
                say("low_coverage", dimension=dimension, evaluated=score.evaluated, total=score.total,
                    needed=Share(rules.min_check_coverage, 0))
            )
    for check in badly:
        floor = rules.min_pass_rate[check.severity]
        table, found = _check_said(check)
        blockers.append(
            say("check_failing", table=table, check=found, unexpected=check.unexpected_count, elements=check.element_count,
                share=Share(1 - check.pass_rate), severity=check.severity, allowed=Share(1 - floor, 0))
            if check.element_count
            else say("check_failed", table=table, check=found, severity=check.severity)
        )
    return blockers


def _trend_misses_deadline(evidence: DatabaseEvidence, as_of: dt.date, current: float | None, policy: Policy) -> bool:
    points = [(d, s) for d, s in evidence.history if d < as_of]
    if current is not None:
        points.append((as_of, current))
    if len(points) < policy.risk.trend_min_runs:
        return False
    span = (points[-1][0] - points[0][0]).days
    if span < policy.risk.trend_min_history_days:
        return False
    xs = [(d - points[0][0]).days for d, _ in points]
    ys = [s for _, s in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / var if var else 0.0
    days_left = (evidence.deadline - as_of).days
    projected = ys[-1] + slope * max(days_left, 0)
    return projected > 0  # shortfall still positive at the deadline


def classify(evidence: DatabaseEvidence, as_of: dt.date, policy: Policy) -> Verdict:
    usable = evidence.delivery_status in ("loaded", "unchanged")
    blockers = _blockers(evidence, policy) if usable else []
    problem = delivery_problem(evidence.delivery_error) if evidence.delivery_error else None
    if not usable:
        tier = NOT_STARTED
        to_next = [say("deliver_readable", error=problem) if problem else say("deliver_first")]
    elif blockers:
        tier, to_next = PARTIAL, blockers
    else:
        tier, to_next = FOUNDATIONAL, []

    reasons: list[Said] = []
    days_left = (evidence.deadline - as_of).days
    if tier != FOUNDATIONAL and days_left < 0:
        reasons.append(say("deadline_passed", deadline=evidence.deadline, tier=tier))
    elif tier != FOUNDATIONAL and days_left <= policy.risk.deadline_near_days:
        reasons.append(say("deadline_near", deadline=evidence.deadline, days=days_left, tier=tier))
    if evidence.delivery_status == "rejected":
        reasons.append(say("ingest_failure", error=problem))
    if evidence.delivery_status == "absent":
        reasons.append(say("no_delivery", cadence=evidence.cadence))
    max_age = policy.live.max_extract_age_days[evidence.cadence]
    stale = usable and evidence.extract_age_days is not None and evidence.extract_age_days > max_age
    if stale:
        reasons.append(
            say("stale_extract", age=round(evidence.extract_age_days), cadence=evidence.cadence, allowed=max_age)
        )
    live = evidence.scores.get("live")
    if usable and not stale and live is not None and live.score is not None and live.score < policy.tiers.foundational.min_score["live"]:
        reasons.append(say("stale_score", score=Decimal(live.score)))
    if evidence.previous_tier and TIER_RANK[tier] < TIER_RANK[evidence.previous_tier]:
        reasons.append(say("tier_fell", from_tier=evidence.previous_tier, tier=tier))
    if tier == PARTIAL and _trend_misses_deadline(evidence, as_of, weakest_shortfall(evidence.scores, policy), policy):
        reasons.append(say("trend_misses"))
    # At-risk cuts across tiers; a partial database at risk also says what holds it back, naming its checks.
    if reasons and tier == PARTIAL:
        reasons += blockers
    reasons = list(dict.fromkeys(reasons))
    return Verdict(
        tier,
        bool(reasons),
        [r.en for r in reasons],
        [s.en for s in to_next],
        [r.vi for r in reasons],
        [s.vi for s in to_next],
    )
