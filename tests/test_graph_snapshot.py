"""The whole Dagster graph as one reviewed file: a change to an asset, check, job, schedule or sensor is a diff.

Every asset (key, group, kinds, tags, upstream keys, resources, checks), every job (its selection and how
much it selects), schedule (cron, time zone, default status, job) and sensor (job, interval, default
status, resources) of `r57_pipelines.definitions.defs()`, sorted, compared with the committed snapshot
`tests/__snapshots__/test_graph_snapshot/test_the_asset_graph_is_the_reviewed_one.json`. Nothing is
materialised: loading the definitions takes about two seconds.

After an intended change, rewrite the snapshot and review its diff with the code:

    .venv/bin/pytest tests/test_graph_snapshot.py --snapshot-update
"""

from __future__ import annotations

import dagster as dg
import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from r57_pipelines.definitions import defs


def _key(key: dg.AssetKey) -> str:
    return key.to_user_string()  # population/population_quality


def _asset(node, checks: dict[str, bool]) -> dict:
    definition = node.assets_def
    return {
        "group": node.group_name,
        "kinds": sorted(node.kinds),
        # dagster/kind/* repeats the kinds above
        "tags": {k: v for k, v in sorted(node.tags.items()) if not k.startswith("dagster/kind/")},
        "deps": sorted(_key(k) for k in node.parent_keys),
        "resources": sorted(definition.required_resource_keys - {"io_manager"}),
        "checks": sorted(name + (" (blocking)" if blocking else "") for name, blocking in checks.items()),
    }


def graph_outline(definitions: dg.Definitions) -> dict:
    """A plain, sorted structure of everything `definitions` declares (no Dagster objects, no paths)."""
    graph = definitions.resolve_asset_graph()
    checks: dict[dg.AssetKey, dict[str, bool]] = {}
    for key in graph.get_all_asset_keys():
        for spec in graph.get(key).assets_def.check_specs:
            checks.setdefault(spec.asset_key, {})[spec.name] = spec.blocking
    assets = {
        _key(key): _asset(graph.get(key), checks.get(key, {})) for key in sorted(graph.get_all_asset_keys())
    }
    jobs = {}
    for job in sorted(definitions.jobs or [], key=lambda j: j.name):
        selected = job.selection.resolve(graph)
        jobs[job.name] = {
            "selection": str(job.selection),
            "selects_assets": len(selected),
            "selects_checks": sum(len(checks.get(k, {})) for k in selected),
        }
    schedules = {
        s.name: {
            "cron": s.cron_schedule,
            "timezone": s.execution_timezone,
            "default_status": s.default_status.value,
            "job": s.job_name,
        }
        for s in sorted(definitions.schedules or [], key=lambda s: s.name)
    }
    sensors = {
        s.name: {
            "job": s.job_name,
            "minimum_interval_seconds": s.minimum_interval_seconds,
            "default_status": s.default_status.value,
            "resources": sorted(s.required_resource_keys),
        }
        for s in sorted(definitions.sensors or [], key=lambda s: s.name)
    }
    groups: dict[str, int] = {}
    for asset in assets.values():
        groups[asset["group"]] = groups.get(asset["group"], 0) + 1
    return {
        "counts": {
            "assets": len(assets),
            "checks": sum(len(c) for c in checks.values()),
            "groups": len(groups),
            "jobs": len(jobs),
            "schedules": len(schedules),
            "sensors": len(sensors),
        },
        "groups": dict(sorted(groups.items())),
        "assets": assets,
        "jobs": jobs,
        "schedules": schedules,
        "sensors": sensors,
        "resources": {name: type(r).__name__ for name, r in sorted((definitions.resources or {}).items())},
        "executor": definitions.executor.name if definitions.executor else None,
    }


@pytest.fixture
def snapshot_json(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


def test_the_asset_graph_is_the_reviewed_one(snapshot_json):
    assert graph_outline(defs()) == snapshot_json

