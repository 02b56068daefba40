"""The intended outcome as a reviewed test fixture (tests/fixtures/intended_status.yaml)."""

from __future__ import annotations

from pathlib import Path

import yaml

from r57_pipelines.generate.plan import EstatePlan

HEADER = """\
# Intended readiness of every database in the sample estate as of 2025-12-04, seed {seed}.
# Written by r57_pipelines.generate.write_intended_status from the generator's plan; the pipeline never
# reads it. Tests compare the pipeline's conclusions with it. profile names the defect planted (see
# r57_pipelines/generate/defects.py), never the tier.
"""


def intended_status_yaml(plan: EstatePlan) -> str:
    body = yaml.safe_dump(plan.intended_status(), sort_keys=True, allow_unicode=True, default_flow_style=None)
    return HEADER.format(seed=plan.seed) + body


def write_intended_status(plan: EstatePlan, path: Path) -> None:
    path.write_text(intended_status_yaml(plan), encoding="utf-8")
