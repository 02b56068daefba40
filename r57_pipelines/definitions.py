"""The one `Definitions` of r57, loaded by `dagster dev` (workspace.yaml) and by the CLI."""

from __future__ import annotations

import dagster as dg

from r57_pipelines.defs.deliveries import build_delivery_assets
from r57_pipelines.defs.estate import estate_assets
from r57_pipelines.registry import Registry, load_registry
from r57_pipelines.resources import Estate, Warehouse
from r57_pipelines.paths import DEFAULT_HOME
from r57_pipelines.resources import WAREHOUSE_FILE


def build_definitions(registry: Registry) -> dg.Definitions:
    return dg.Definitions(
        assets=[*build_delivery_assets(registry), *estate_assets(registry)],
        resources={"estate": Estate(), "warehouse": Warehouse(database=str(DEFAULT_HOME / WAREHOUSE_FILE))},
        # DuckDB allows one writing process per file: steps run one after another in the run's process.
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(load_registry())
