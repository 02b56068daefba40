"""The readiness policy file, validated on load."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from r57_pipelines.paths import REGISTRY_DIR

DIMENSIONS = ("correct", "sufficient", "clean", "live")
POLICY_FILE = REGISTRY_DIR / "readiness_policy.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scoring(_Strict):
    severity_weights: dict[str, float]


class Foundational(_Strict):
    min_score: dict[str, float]
    min_pass_rate: dict[str, float]
    min_check_coverage: float = Field(ge=0, le=1)


class Tiers(_Strict):
    foundational: Foundational
    hysteresis_points: float = Field(ge=0)


class Live(_Strict):
    max_extract_age_days: dict[str, int]
    recent_window_days: int = Field(gt=0)
    recent_min_share: float = Field(ge=0, le=1)


class Sufficient(_Strict):
    min_rows_ratio_to_previous: float = Field(ge=0, le=1)


class Risk(_Strict):
    deadline_near_days: int = Field(ge=0)
    trend_min_history_days: int = Field(ge=0)
    trend_min_runs: int = Field(ge=2)


class Policy(_Strict):
    scoring: Scoring
    tiers: Tiers
    live: Live
    sufficient: Sufficient
    risk: Risk


def load_policy(path: Path = POLICY_FILE) -> Policy:
    try:
        return Policy.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except Exception as exc:  # pydantic or YAML: either way the file is at fault
        raise ValueError(f"{path}: invalid readiness policy: {exc}") from exc


@cache
def default_policy() -> Policy:
    return load_policy()
