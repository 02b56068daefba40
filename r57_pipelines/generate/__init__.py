"""Deterministic generator of the sample estate (same seed, same bytes).

    generate_estate(registry, out_dir, total_rows, as_of, seed=57) -> GenerationSummary

Modules, one job each: plan (who gets which profile, tiers, formats), volumes (rows per database),
population (the master persons), records (clean rows per contract table), defects (planting),
writers (file formats, manifest, broken deliveries), estate (the run). The intended outcome goes only
to tests/fixtures/intended_status.yaml (write_intended_status); the pipeline never reads it.
"""

from r57_pipelines.generate.estate import (
    DEFAULT_AS_OF,
    DEFAULT_SEED,
    DeliverySummary,
    GenerationSummary,
    generate_estate,
)
from r57_pipelines.generate.plan import PROFILES, EstatePlan, PlanError, build_plan
from r57_pipelines.generate.status import intended_status_yaml, write_intended_status
from r57_pipelines.generate.volumes import DEFAULT_TOTAL_ROWS

__all__ = [
    "DEFAULT_AS_OF",
    "DEFAULT_SEED",
    "DEFAULT_TOTAL_ROWS",
    "PROFILES",
    "DeliverySummary",
    "EstatePlan",
    "GenerationSummary",
    "PlanError",
    "build_plan",
    "generate_estate",
    "intended_status_yaml",
    "write_intended_status",
]
