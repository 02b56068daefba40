"""Each step says how far its run has got (r57_pipelines/progress.py), in the run log."""

import dagster as dg

from r57_pipelines import progress
from r57_pipelines.progress import StepClock


def keys_in_run(context: dg.AssetExecutionContext) -> set[dg.AssetKey]:
    """The assets this run materialises (a sensor's run: only the changed databases and the estate; none
    named: all of them)."""
    selection = context.run.asset_selection
    return set(selection) if selection else set(context.job_def.asset_layer.asset_graph.executable_asset_keys)


def databases_in_run(context: dg.AssetExecutionContext, suffix: str) -> list[str]:
    """The databases whose `[<id>, <id>_<suffix>]` asset this run materialises."""
    return [k.path[0] for k in keys_in_run(context) if len(k.path) == 2 and k.path[1] == f"{k.path[0]}_{suffix}"]


def estate_steps_in_run(context: dg.AssetExecutionContext) -> list[str]:
    return [k.path[-1] for k in keys_in_run(context) if k.path[0] == "estate"]


def sql_model_steps_in_run(context: dg.AssetExecutionContext) -> list[str]:
    """`staging` and `marts`, the dbt steps (defs/sql_models.py), where the run materialises their assets."""
    keys = keys_in_run(context)
    staging = any(len(k.path) == 2 and k.path[1].startswith(f"{k.path[0]}_stg_") for k in keys)
    marts = any(k.path[0] == "marts" for k in keys)
    return [step for step, present in (("staging", staging), ("marts", marts)) if present]


def step_done(
    context: dg.AssetExecutionContext, stage: str, item: str, rows: int, steps: list[str], clock: StepClock
) -> None:
    """Log the stage's progress after this step, for `item` (a database id or an estate asset's name)."""
    state = progress.finished(context.run.run_id, stage, item, rows, steps, clock)
    context.log.info(state.line())
