"""The verdict rules, on hand-made evidence (the end-to-end run checks them on the sample estate)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from r57_pipelines.readiness.classify import DatabaseEvidence, classify
from r57_pipelines.readiness.policy import POLICY_FILE, load_policy
from r57_pipelines.readiness.scoring import CheckRow, score_dimensions

AS_OF = dt.date(2025, 12, 4)
POLICY = load_policy()


def check(dimension: str, unexpected: int = 0, rows: int = 1000, severity: str = "major", name: str = "") -> CheckRow:
    return CheckRow(
        name or f"t.{dimension}.{severity}", "t", dimension, severity, f"{dimension} rule", rows, unexpected, unexpected == 0
    )


CLEAN = [check(d, severity=s) for d in ("correct", "sufficient", "clean", "live") for s in ("critical", "major")]


def evidence(checks=CLEAN, status="loaded", age=1.0, deadline=dt.date(2026, 6, 30), previous=None, history=(), policy=POLICY):
    return DatabaseEvidence(
        database_id="db", deadline=deadline, cadence="weekly", delivery_status=status,
        delivery_error="x.parquet: cannot be read" if status == "rejected" else None,
        extract_age_days=age if status in ("loaded", "unchanged") else None,
        scores=score_dimensions(checks, policy), checks=list(checks), previous_tier=previous, history=list(history),
    )


def replace(checks, new):
    return [c for c in checks if c.check_id != new.check_id] + [new]


def test_clean_fresh_delivery_is_foundational_and_not_at_risk():
    verdict = classify(evidence(), AS_OF, POLICY)
    assert (verdict.tier, verdict.at_risk, verdict.to_next_tier) == ("foundational", False, [])


def test_a_removed_delivery_is_not_started_and_at_risk():
    verdict = classify(evidence(status="absent", checks=[]), AS_OF, POLICY)
    assert verdict.tier == "not_started" and verdict.at_risk
    assert any("no delivery" in r for r in verdict.risk_reasons)


def test_an_unreadable_delivery_is_not_started_with_the_file_in_the_reason():
    verdict = classify(evidence(status="rejected", checks=[]), AS_OF, POLICY)
    assert verdict.tier == "not_started" and any("x.parquet" in r for r in verdict.risk_reasons)


def test_a_stale_extract_is_at_risk_with_a_freshness_reason():
    verdict = classify(evidence(age=150), AS_OF, POLICY)
    assert verdict.at_risk and any("no longer live" in r and "150 days" in r for r in verdict.risk_reasons)


def test_one_failing_critical_check_blocks_foundational_even_when_the_mean_is_high():
    checks = replace(CLEAN, check("correct", unexpected=200, severity="critical"))  # 80% pass
    ev = evidence(checks)
    assert ev.scores["correct"].score > 85  # the average alone would hide it
    verdict = classify(ev, AS_OF, POLICY)
    assert verdict.tier == "partial" and any("200 of 1,000" in t for t in verdict.to_next_tier)


def test_the_weakest_dimension_decides_not_the_average():
    checks = replace(CLEAN, check("clean", unexpected=300, severity="major", name="t.clean.major"))
    verdict = classify(evidence(checks), AS_OF, POLICY)
    assert verdict.tier == "partial" and any(t.startswith("clean: score") for t in verdict.to_next_tier)


def test_an_unassessed_dimension_is_never_counted_as_100():
    checks = [c for c in CLEAN if c.dimension != "live"]
    ev = evidence(checks)
    assert ev.scores["live"].score is None
    assert classify(ev, AS_OF, POLICY).tier == "partial"


def test_partial_with_deadline_near_is_at_risk_and_far_is_not():
    checks = replace(CLEAN, check("sufficient", unexpected=500, severity="critical"))
    near = classify(evidence(checks, deadline=dt.date(2025, 12, 31)), AS_OF, POLICY)
    far = classify(evidence(checks, deadline=dt.date(2026, 6, 30)), AS_OF, POLICY)
    assert near.at_risk and "27 days away" in near.risk_reasons[0]
    assert far.tier == "partial" and not far.at_risk


def test_falling_one_tier_is_flagged():
    checks = replace(CLEAN, check("clean", unexpected=500, severity="critical"))
    verdict = classify(evidence(checks, previous="foundational"), AS_OF, POLICY)
    assert verdict.tier == "partial" and any("fell from foundational to partial" in r for r in verdict.risk_reasons)


def test_hysteresis_keeps_a_foundational_database_on_noise():
    # "clean" at 94.6 (two major checks at 90.5%, above their floor): under the 95 threshold, within
    # the 2-point margin.
    checks = replace(CLEAN, check("clean", unexpected=95, severity="major", name="t.clean.major"))
    checks.append(check("clean", unexpected=95, severity="major", name="t.clean.major2"))
    ev_new, ev_kept = evidence(checks), evidence(checks, previous="foundational")
    assert 93 < ev_new.scores["clean"].score < 95
    assert classify(ev_new, AS_OF, POLICY).tier == "partial"
    assert classify(ev_kept, AS_OF, POLICY).tier == "foundational"


def test_a_flat_trend_that_misses_the_deadline_is_at_risk():
    checks = replace(CLEAN, check("clean", unexpected=300, severity="major", name="t.clean.major"))
    history = [(AS_OF - dt.timedelta(days=d), 7.0) for d in (60, 40, 20)]  # same shortfall as now
    verdict = classify(evidence(checks, history=history), AS_OF, POLICY)
    assert any("current trend" in r for r in verdict.risk_reasons)


def test_thresholds_come_from_the_policy_file(tmp_path: Path):
    data = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))
    data["tiers"]["foundational"]["min_score"]["clean"] = 99.9
    strict_file = tmp_path / "policy.yaml"
    strict_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    strict = load_policy(strict_file)
    checks = replace(CLEAN, check("clean", unexpected=5, severity="major", name="t.clean.major"))  # 99.5% pass
    assert classify(evidence(checks), AS_OF, POLICY).tier == "foundational"
    assert classify(evidence(checks, policy=strict), AS_OF, strict).tier == "partial"


def test_a_broken_policy_file_names_itself(tmp_path: Path):
    bad = tmp_path / "policy.yaml"
    bad.write_text("tiers: {}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=str(bad)):
        load_policy(bad)
