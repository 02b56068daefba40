"""The one `Definitions` of r57, loaded by `dagster dev` (workspace.yaml) and by the CLI."""

from __future__ import annotations

import os

import dagster as dg

from r57_pipelines.defs.automation import automation
from r57_pipelines.defs.deliveries import build_delivery_assets
from r57_pipelines.defs.estate import estate_assets
from r57_pipelines.defs.quality import build_quality_assets
from r57_pipelines.registry import Registry, load_registry
from r57_pipelines.paths import DEFAULT_HOME
from r57_pipelines.resources import AS_OF_ENV, WAREHOUSE_FILE, Estate, Warehouse


def default_estate() -> Estate:
    """The UI's estate: the sample sources, the `.r57/` home, and as-of R57_AS_OF if set (else today).

    `make dagster` sets R57_AS_OF to the sample estate's date, so "Materialize all" on a checkout
    re-evaluates 2025-12-04 instead of replacing the sample report with today's verdict. Read through
    `EnvVar`, the launchpad shows where the value comes from.
    """
    return Estate(as_of=dg.EnvVar(AS_OF_ENV)) if os.environ.get(AS_OF_ENV) else Estate()


def build_definitions(registry: Registry) -> dg.Definitions:
    jobs, schedules, sensors = automation(registry)
    return dg.Definitions(
        assets=[*build_delivery_assets(registry), *build_quality_assets(registry), *estate_assets(registry)],
        jobs=jobs,
        schedules=schedules,
        sensors=sensors,
        resources={"estate": default_estate(), "warehouse": Warehouse(database=str(DEFAULT_HOME / WAREHOUSE_FILE))},
        # DuckDB allows one writing process per file: steps run one after another in the run's process.
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(load_registry())
