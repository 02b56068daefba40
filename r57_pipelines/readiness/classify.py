"""The tier and at-risk verdict for one database, with reasons in plain words (docs/readiness.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from r57_pipelines.readiness.policy import DIMENSIONS, Policy
from r57_pipelines.readiness.scoring import CheckRow, DimensionScore

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


def _blockers(evidence: DatabaseEvidence, policy: Policy) -> list[str]:
    """Why the database is not foundational; empty means it is."""
    rules = policy.tiers.foundational
    margin = policy.tiers.hysteresis_points if evidence.previous_tier == FOUNDATIONAL else 0.0
    blockers = []
    for dimension in DIMENSIONS:
        score = evidence.scores[dimension]
        threshold = rules.min_score[dimension]
        if score.score is None:
            blockers.append(f"{dimension}: not assessed (no check could run)")
        elif score.score < threshold - margin:
            blockers.append(f"{dimension}: score {score.score:.1f} is below the threshold {threshold:.0f}")
        if score.total and score.coverage < rules.min_check_coverage:
            blockers.append(
                f"{dimension}: only {score.evaluated} of {score.total} checks could be evaluated "
                f"(at least {rules.min_check_coverage:.0%} needed)"
            )
    for check in failing_badly(evidence.checks, policy):
        floor = rules.min_pass_rate[check.severity]
        blockers.append(
            f"{check.table_name}: {check.description} — {check.unexpected_count:,} of {check.element_count:,} "
            f"failing ({1 - check.pass_rate:.1%}; a {check.severity} check allows {1 - floor:.0%})"
            if check.element_count
            else f"{check.table_name}: {check.description} — failed ({check.severity})"
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
    if not usable:
        tier = NOT_STARTED
        to_next = [
            f"deliver a readable extract ({evidence.delivery_error})"
            if evidence.delivery_error
            else "deliver a first extract in the delivery format (docs/delivery-format.md)"
        ]
    elif blockers:
        tier, to_next = PARTIAL, blockers
    else:
        tier, to_next = FOUNDATIONAL, []

    reasons = []
    days_left = (evidence.deadline - as_of).days
    if tier != FOUNDATIONAL and days_left < 0:
        reasons.append(f"deadline {evidence.deadline.isoformat()} has passed and the database is {tier.replace('_', ' ')}")
    elif tier != FOUNDATIONAL and days_left <= policy.risk.deadline_near_days:
        reasons.append(
            f"deadline {evidence.deadline.isoformat()} is {days_left} days away and the database is "
            f"{tier.replace('_', ' ')}"
        )
    if evidence.delivery_status == "rejected":
        reasons.append(f"ingest failure: {evidence.delivery_error}")
    if evidence.delivery_status == "absent":
        reasons.append(f"no delivery for its {evidence.cadence} cadence")
    max_age = policy.live.max_extract_age_days[evidence.cadence]
    if usable and evidence.extract_age_days is not None and evidence.extract_age_days > max_age:
        reasons.append(
            f"data no longer live: extract is {evidence.extract_age_days:.0f} days old "
            f"(a {evidence.cadence} database allows {max_age})"
        )
    live = evidence.scores.get("live")
    stale_already = any(r.startswith("data no longer live") for r in reasons)
    if usable and not stale_already and live is not None and live.score is not None and live.score < policy.tiers.foundational.min_score["live"]:
        reasons.append(f"data no longer live: freshness score {live.score:.1f}")
    if evidence.previous_tier and TIER_RANK[tier] < TIER_RANK[evidence.previous_tier]:
        reasons.append(f"tier fell from {evidence.previous_tier.replace('_', ' ')} to {tier.replace('_', ' ')}")
    if tier == PARTIAL and _trend_misses_deadline(evidence, as_of, weakest_shortfall(evidence.scores, policy), policy):
        reasons.append("at its current trend it will not reach foundational by the deadline")
    reasons = list(dict.fromkeys(reasons))
    return Verdict(tier, bool(reasons), reasons, to_next)
