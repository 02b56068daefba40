"""The one `Definitions` of r57, loaded by `dagster dev` (workspace.yaml) and by the CLI."""

from __future__ import annotations

import dagster as dg

from r57_pipelines.defs.automation import automation
from r57_pipelines.defs.deliveries import build_delivery_assets
from r57_pipelines.defs.estate import estate_assets
from r57_pipelines.defs.quality import build_quality_assets
from r57_pipelines.defs.sql_models import build_sql_model_assets
from r57_pipelines.registry import Registry, load_registry
from r57_pipelines.resources import environment_resources


def build_definitions(registry: Registry) -> dg.Definitions:
    jobs, schedules, sensors = automation(registry)
    return dg.Definitions(
        assets=[
            *build_delivery_assets(registry),
            *build_sql_model_assets(registry),
            *build_quality_assets(registry),
            *estate_assets(registry),
        ],
        jobs=jobs,
        schedules=schedules,
        sensors=sensors,
        # Where the deliveries are, where results go, the as-of and DuckDB's settings: from the environment
        # (R57_SOURCES, R57_HOME, R57_AS_OF, ...: settings.py), else the checkout's sample_sources/ and .r57/.
        resources=environment_resources(),
        # DuckDB allows one writing process per file: steps run one after another in the run's process.
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(load_registry())
