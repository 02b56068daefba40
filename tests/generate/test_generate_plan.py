"""The plan: published status reproduced, profiles spread, volumes and formats as documented."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from r57_pipelines.generate import PlanError, build_plan, intended_status_yaml
from r57_pipelines.generate.defects import defect_options
from r57_pipelines.generate.plan import ABSENT, BROKEN, CLEAN, ONE_DIMENSION, PLAN02, R71_FAR, R71_NEAR, STALE
from r57_pipelines.generate.volumes import DEFAULT_TOTAL_ROWS, MIN_ROWS_AT_DEFAULT, rows_for
from r57_pipelines.registry import Registry

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "intended_status.yaml"


@pytest.fixture(scope="module")
def plan(registry: Registry):
    return build_plan(registry)


def test_fixture_is_the_plan(plan):
    # The committed fixture must be regenerated whenever the plan changes (write_intended_status).
    assert FIXTURE.read_text(encoding="utf-8") == intended_status_yaml(plan)


def test_fixture_reproduces_published_status(registry: Registry):
    status = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    assert set(status) == set(registry.databases)
    plan02 = Counter(s["tier"] for db, s in status.items() if registry.databases[db].programme == "plan02_key")
    assert plan02 == {"foundational": 4, "partial": 5, "not_started": 3}
    r71 = [s for db, s in status.items() if registry.databases[db].programme == "r71"]
    assert sum(s["tier"] == "foundational" for s in r71) == 31
    assert sum(s["tier"] == "partial" and not s["at_risk"] for s in r71) == 36
    assert sum(s["at_risk"] for s in r71) == 38
    assert not any(s["tier"] == "foundational" and s["at_risk"] for s in status.values())


def test_groups_get_their_quotas(plan):
    got = Counter((d.group, "defect" if d.profile in ONE_DIMENSION else d.profile) for d in plan.databases)
    broken = sum(n for (g, p), n in got.items() if g == R71_NEAR and p in BROKEN)
    assert got[(PLAN02, CLEAN)] == 4 and got[(PLAN02, "defect")] == 5 and got[(PLAN02, ABSENT)] == 3
    assert got[(R71_NEAR, CLEAN)] == 17 and got[(R71_NEAR, "defect")] == 12 and got[(R71_NEAR, ABSENT)] == 14
    assert got[(R71_NEAR, STALE)] == 6 and broken == 6
    assert {p for (g, p) in got if g == R71_NEAR and p in BROKEN} == set(BROKEN)
    assert got[(R71_FAR, CLEAN)] == 14 and got[(R71_FAR, "defect")] == 36


def test_master_is_clean_and_partial_plan02_are_at_risk(plan):
    by_id = plan.by_id()
    assert by_id["population"].profile == CLEAN
    plan02_partial = [d for d in plan.databases if d.group == PLAN02 and d.tier == "partial"]
    assert all(d.at_risk for d in plan02_partial)
    assert len({d.profile for d in plan02_partial}) == 5  # five different defects


def test_one_dimension_profiles_are_spread(plan):
    used = Counter(d.profile for d in plan.databases if d.profile in ONE_DIMENSION)
    assert set(used) == set(ONE_DIMENSION)
    assert max(used.values()) - min(used.values()) <= 2


def test_defects_fit_their_contracts(plan, registry: Registry):
    for d in plan.databases:
        if d.defect is None:
            assert d.profile not in ONE_DIMENSION
            continue
        options = defect_options(registry.databases[d.database_id].contract)[d.profile]
        assert any(o.variant == d.defect.variant and o.columns == d.defect.columns for o in options)
        assert d.defect.fraction == 1.0 if d.profile == "missing_column" else 0.15 <= d.defect.fraction <= 0.35


def test_plan_depends_only_on_seed(registry: Registry, plan):
    assert build_plan(registry) == plan
    other = build_plan(registry, seed=58)
    assert other.intended_status() != plan.intended_status()


def test_registry_without_the_published_groups_is_refused(registry: Registry):
    plan02_only = registry.model_copy(
        update={"databases": {k: v for k, v in registry.databases.items() if v.programme == "plan02_key"}}
    )
    with pytest.raises(PlanError, match="groups have sizes"):
        build_plan(plan02_only)


def test_volumes(plan):
    delivered = [d for d in plan.databases if d.delivered]
    assert sum(d.share for d in delivered) == pytest.approx(1.0)
    assert all(d.share == 0 for d in plan.databases if not d.delivered)
    by_share = sorted(delivered, key=lambda d: d.share, reverse=True)
    assert by_share[0].database_id == "population" and by_share[0].share == pytest.approx(0.15)
    assert all(rows_for(d.share, DEFAULT_TOTAL_ROWS) >= MIN_ROWS_AT_DEFAULT for d in delivered)
    assert by_share[1].share > 20 * by_share[-1].share  # power-law-ish, not uniform


def test_formats(plan):
    formats = Counter(d.file_format for d in plan.databases if d.delivered)
    assert formats["parquet"] > sum(formats.values()) / 2
    assert formats["csv"] >= 5 and formats["jsonl"] >= 5 and 3 <= formats["xlsx"] <= 8
    by_id = plan.by_id()
    broken = {d.profile: d.file_format for d in plan.databases if d.profile in BROKEN}
    assert broken["broken_truncated_parquet"] == "parquet"
    assert broken["broken_not_xlsx"] == "xlsx"
    assert broken["broken_bad_jsonl"] == "jsonl"
    assert by_id["population"].file_format == "parquet"
