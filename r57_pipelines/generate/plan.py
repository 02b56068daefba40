"""Who gets which profile: the intended outcome of the sample estate, decided before any row is written.

Databases are split into the groups the published status talks about (Plan-02 key; Resolution 71 with
a deadline on or before NEAR_DEADLINE; Resolution 71 with a later deadline). Within a group, ids are
shuffled with the seed and dealt out to the group's quota of profiles. One-dimension defects are then
spread as evenly as the contracts allow (each profile needs columns it can damage; see
defects.defect_options). Tiers and risk follow from profile and deadline:

    clean -> foundational;  one-dimension defect or stale -> partial;  absent or broken_* -> not_started
    at risk = not foundational and deadline <= NEAR_DEADLINE

and the resulting counts must equal the published ones (PUBLISHED), or planning fails. The pipeline
never reads this plan: only tests do, through tests/fixtures/intended_status.yaml.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from r57_pipelines.generate.defects import Defect, defect_options
from r57_pipelines.generate.seeding import py_rng_for
from r57_pipelines.generate.volumes import MASTER_DATABASE, MIN_SHARE, row_shares
from r57_pipelines.registry import Database, Registry

NEAR_DEADLINE = dt.date(2026, 1, 31)

CLEAN = "clean"
STALE = "stale"
ABSENT = "absent"
ONE_DIMENSION = (
    "invalid_identifiers",  # correct
    "master_mismatch",  # correct
    "old_province_codes",  # correct
    "missing_values",  # sufficient
    "missing_column",  # sufficient
    "duplicate_records",  # clean
    "mojibake_text",  # clean
)
BROKEN = (
    "broken_truncated_parquet",
    "broken_manifest_yaml",
    "broken_missing_file",
    "broken_not_xlsx",
    "broken_bad_jsonl",
    "broken_manifest_fields",
)
PROFILES = (CLEAN, *ONE_DIMENSION, STALE, ABSENT, *BROKEN)
DIMENSION = {
    "invalid_identifiers": "correct",
    "master_mismatch": "correct",
    "old_province_codes": "correct",
    "missing_values": "sufficient",
    "missing_column": "sufficient",
    "duplicate_records": "clean",
    "mojibake_text": "clean",
    STALE: "live",
}
BROKEN_FORMAT = {"broken_truncated_parquet": "parquet", "broken_not_xlsx": "xlsx", "broken_bad_jsonl": "jsonl"}

PLAN02 = "plan02_key"
R71_NEAR = "r71_near"
R71_FAR = "r71_far"
# Slots per group, dealt in this order to the group's shuffled ids ("defect" = one one-dimension defect).
QUOTAS: dict[str, tuple[tuple[str, int], ...]] = {
    PLAN02: ((CLEAN, 3), ("defect", 5), (ABSENT, 3)),  # + population, always clean: it is the master
    R71_NEAR: ((CLEAN, 17), ("defect", 12), (STALE, 6), ("broken", 6), (ABSENT, 14)),
    R71_FAR: ((CLEAN, 14), ("defect", 36)),
}
GROUP_SIZES = {PLAN02: 12, R71_NEAR: 55, R71_FAR: 50}
# Published status as of 4 Dec 2025 (seed 003): Plan-02 4/5/3; R71 31 foundational, 36 partial, 38 at risk.
PUBLISHED = {
    PLAN02: {"foundational": 4, "partial": 5, "not_started": 3},
    "r71": {"foundational": 31, "partial_not_at_risk": 36, "at_risk": 38},
}

FORMATS = ("parquet", "csv", "jsonl", "xlsx")
XLSX_DATABASES = 5  # taken among the smallest deliveries: the readers stream XLSX through Python
TEXT_FORMAT_MAX_SHARE = 0.01  # CSV / JSONL only for databases up to 1% of the rows (size on disk)
TEXT_FORMAT_CYCLE = ("csv", "parquet", "jsonl", "parquet", "parquet")

TIER = {CLEAN: "foundational", STALE: "partial", ABSENT: "not_started"}
TIER.update({p: "partial" for p in ONE_DIMENSION})
TIER.update({p: "not_started" for p in BROKEN})


class PlanError(ValueError):
    """The registry cannot carry the published status (wrong group sizes, missing master, ...)."""


@dataclass(frozen=True)
class DatabasePlan:
    database_id: str
    ministry: str
    group: str
    profile: str
    tier: str
    at_risk: bool
    defect: Defect | None  # for one-dimension profiles
    file_format: str | None  # None when absent
    share: float  # of the estate's rows; 0 when absent

    @property
    def delivered(self) -> bool:
        return self.profile != ABSENT


@dataclass(frozen=True)
class EstatePlan:
    seed: int
    databases: tuple[DatabasePlan, ...]  # registry order

    def by_id(self) -> dict[str, DatabasePlan]:
        return {d.database_id: d for d in self.databases}

    def intended_status(self) -> dict[str, dict[str, object]]:
        """What a run as of 2025-12-04 must conclude, per database id (tests/fixtures/intended_status.yaml)."""
        return {
            d.database_id: {"tier": d.tier, "at_risk": d.at_risk, "profile": d.profile}
            for d in sorted(self.databases, key=lambda d: d.database_id)
        }


def group_of(db: Database, near_deadline: dt.date = NEAR_DEADLINE) -> str:
    if db.programme == "plan02_key":
        return PLAN02
    return R71_NEAR if db.deadline <= near_deadline else R71_FAR


def _groups(registry: Registry, near_deadline: dt.date) -> dict[str, list[Database]]:
    groups: dict[str, list[Database]] = {g: [] for g in GROUP_SIZES}
    for db in registry.databases.values():
        groups[group_of(db, near_deadline)].append(db)
    sizes = {g: len(dbs) for g, dbs in groups.items()}
    if sizes != GROUP_SIZES:
        raise PlanError(
            f"the registry's groups have sizes {sizes}, but the published status needs {GROUP_SIZES} "
            f"(Plan-02 key; Resolution 71 with deadline <= {near_deadline}; Resolution 71 later). "
            f"Is assets/databases/ complete ({len(registry.databases)} databases, 117 expected)?"
        )
    if MASTER_DATABASE not in {db.id for db in groups[PLAN02]}:
        raise PlanError(f"the master database {MASTER_DATABASE!r} must be one of the Plan-02 key databases")
    return groups


def _deal_profiles(seed: int, groups: dict[str, list[Database]]) -> dict[str, str]:
    """id -> profile, with "defect" standing for a one-dimension defect chosen later."""
    dealt: dict[str, str] = {MASTER_DATABASE: CLEAN}
    for group, quota in QUOTAS.items():
        ids = sorted(db.id for db in groups[group] if db.id != MASTER_DATABASE)
        py_rng_for(seed, "plan", group).shuffle(ids)
        slots = [kind for kind, count in quota for _ in range(count)]
        if len(slots) != len(ids):
            raise PlanError(f"group {group}: quota of {len(slots)} slots for {len(ids)} databases")
        broken = iter(BROKEN)
        for db_id, kind in zip(ids, slots):
            dealt[db_id] = next(broken) if kind == "broken" else kind
    return dealt


def _choose_defects(
    seed: int, registry: Registry, groups: dict[str, list[Database]], dealt: dict[str, str]
) -> dict[str, Defect]:
    """Spread the one-dimension profiles (and their variants) as evenly as the contracts allow."""
    rng = py_rng_for(seed, "defects")
    profile_order = list(ONE_DIMENSION)
    rng.shuffle(profile_order)
    used_profiles: Counter[str] = Counter()
    used_variants: Counter[tuple[str, str]] = Counter()
    chosen: dict[str, Defect] = {}
    for group in QUOTAS:
        ids = sorted(db.id for db in groups[group] if dealt.get(db.id) == "defect")
        py_rng_for(seed, "defect-order", group).shuffle(ids)
        for db_id in ids:
            options = defect_options(registry.databases[db_id].contract)
            profile = min(
                (p for p in profile_order if options.get(p)), key=lambda p: (used_profiles[p], profile_order.index(p))
            )
            candidates = options[profile]
            variant_order = sorted({c.variant for c in candidates})
            rng.shuffle(variant_order)
            variant = min(variant_order, key=lambda v: (used_variants[(profile, v)], variant_order.index(v)))
            target = rng.choice([c for c in candidates if c.variant == variant])
            fraction = 1.0 if profile == "missing_column" else round(rng.uniform(0.18, 0.32), 3)
            chosen[db_id] = Defect(profile, variant, target.table, target.columns, fraction)
            used_profiles[profile] += 1
            used_variants[(profile, variant)] += 1
    return chosen


def _formats(seed: int, dealt: dict[str, str], shares: dict[str, float]) -> dict[str, str]:
    formats = {db_id: BROKEN_FORMAT[p] for db_id, p in dealt.items() if p in BROKEN_FORMAT}
    formats[MASTER_DATABASE] = "parquet"
    free = sorted(d for d in shares if d not in formats)
    rng = py_rng_for(seed, "formats")
    rng.shuffle(free)
    smallest = sorted(free, key=lambda d: shares[d] > MIN_SHARE * 1.0001)  # stable: floored ones first, shuffled
    for db_id in smallest[:XLSX_DATABASES]:
        formats[db_id] = "xlsx"
    cycle = 0
    for db_id in free:
        if db_id in formats:
            continue
        if shares[db_id] <= TEXT_FORMAT_MAX_SHARE:
            formats[db_id] = TEXT_FORMAT_CYCLE[cycle % len(TEXT_FORMAT_CYCLE)]
            cycle += 1
        else:
            formats[db_id] = "parquet"
    return formats


def check_published(plan: EstatePlan) -> None:
    """Raise PlanError unless the intended outcome reproduces the published status."""
    plan02 = Counter(d.tier for d in plan.databases if d.group == PLAN02)
    r71 = Counter(
        "at_risk" if d.at_risk else ("foundational" if d.tier == "foundational" else "partial_not_at_risk")
        for d in plan.databases
        if d.group != PLAN02
    )
    got = {PLAN02: dict(plan02), "r71": dict(r71)}
    if got != PUBLISHED:
        raise PlanError(f"the plan gives {got}, the published status is {PUBLISHED}")


def build_plan(registry: Registry, seed: int = 57, near_deadline: dt.date = NEAR_DEADLINE) -> EstatePlan:
    groups = _groups(registry, near_deadline)
    dealt = _deal_profiles(seed, groups)
    defects = _choose_defects(seed, registry, groups, dealt)
    delivered = [db_id for db_id, p in dealt.items() if p != ABSENT]
    shares = row_shares(registry, delivered)
    formats = _formats(seed, dealt, shares)
    databases = []
    for db in registry.databases.values():
        profile = defects[db.id].profile if db.id in defects else dealt[db.id]
        tier = TIER[profile]
        databases.append(
            DatabasePlan(
                database_id=db.id,
                ministry=db.ministry,
                group=group_of(db, near_deadline),
                profile=profile,
                tier=tier,
                at_risk=tier != "foundational" and db.deadline <= near_deadline,
                defect=defects.get(db.id),
                file_format=formats.get(db.id),
                share=shares.get(db.id, 0.0),
            )
        )
    plan = EstatePlan(seed=seed, databases=tuple(databases))
    check_published(plan)
    return plan
