"""The SQL models of `dbt_like_sql/` as assets: dbt-duckdb run by dagster-dbt; their YAML tests are asset checks.

Two dbt asset definitions over one project (dbt_project.py generates and parses it):

* **staging**: a view `stg_<db>.<table>` per database and contract table, downstream of the database's
  delivery and upstream of its quality asset (authored suites may validate the typed view) and of the
  master-data recollection. One `dbt build` per run for every database whose views are out of date, never
  one per database: each dbt invocation costs seconds of start-up (dbt_like_sql/README.md has the figures).
  A database whose views were built from the same delivery and the same project runs no dbt (an unchanged
  night runs none).
* **marts**: estate-wide tables over r57's own tables, after the verdicts, read by the reports.

Every selected model gets a materialisation in every run, as a delivery does: built (dbt's own event and
metadata), `unchanged`, `not built` (no loaded delivery) or `failed` (dbt's message, e.g. a delivered table
missing a contract column). Dagster skips everything downstream of an asset that yields nothing, and one
database's bad delivery must never cost another database, or the estate, its verdict.

dbt runs in a process of its own, which DuckDB allows only while this run's connection is closed
(`Warehouse.released`); the run lock stays held meanwhile.
"""

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from r57_pipelines.dbt_project import MANIFEST, database_tag, dbt_executable, prepare, write_profile
from r57_pipelines.defs.deliveries import delivery_key
from r57_pipelines.defs.groups import ESTATE_GROUP, group_name
from r57_pipelines.defs.keys import READINESS_KEY, mart_key, staging_key
from r57_pipelines.defs.run_progress import sql_model_steps_in_run, step_done
from r57_pipelines.delivery.load import loaded_delivery_sha256
from r57_pipelines.masking import mask_text
from r57_pipelines.paths import SQL_MODELS_DIR
from r57_pipelines.progress import SQL_MODELS, StepClock
from r57_pipelines.registry import Registry
from r57_pipelines.resources import Estate, Warehouse
from r57_pipelines.sql_models import load_project, staging_models_for

STAGING = "tag:staging"
MARTS = "tag:mart"


class R57Translator(DagsterDbtTranslator):
    """Keys that name the database (`population/population_stg_citizen`, `marts/<name>`), the ministry's group,
    and lineage from r57's own assets: a staging model reads its database's delivery, a mart the verdicts."""

    def __init__(self, registry: Registry):
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
        self.registry = registry

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: Any) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] != "model":
            return spec
        models_read = [
            self.get_asset_spec(manifest, parent, project).key
            for parent in props["depends_on"]["nodes"]
            if parent.startswith("model.")
        ]
        meta = props["config"].get("meta") or {}
        if database_id := meta.get("r57_database"):
            database = self.registry.databases[database_id]
            return spec.replace_attributes(
                key=staging_key(database_id, meta["r57_table"]),
                deps=[delivery_key(database_id), *models_read],
                group_name=group_name(self.registry.ministries[database.ministry]),
            )
        return spec.replace_attributes(
            key=mart_key(props["name"]), deps=[READINESS_KEY, *models_read], group_name=ESTATE_GROUP
        )


def _dbt(warehouse: Warehouse, home: Path) -> tuple[DbtCliResource, Path]:
    """dbt on this run's warehouse, with its DuckDB settings, and its target folder: both under the home.

    One target folder per home, not dagster-dbt's one per invocation: dbt then parses only what changed since
    the home's last build (about 3 s less per invocation), and the home's run lock already keeps two
    invocations from sharing it. dbt's own files for the run (run_results.json, logs) are kept there.
    """
    # Absolute paths: dbt reads a relative one against the project folder (`r57 run --home h1` would build the
    # views into dbt_like_sql/h1/warehouse.duckdb).
    settings = dict(warehouse.duckdb_settings)
    if "temp_directory" in settings:
        settings["temp_directory"] = str(Path(settings["temp_directory"]).resolve())
    folder = write_profile(home.resolve() / "dbt", str(Path(warehouse.database).resolve()), settings)
    return _dbt_cli(str(folder)), folder / "target"


@functools.cache
def _dbt_cli(profiles_dir: str) -> DbtCliResource:
    """One resource per profile folder and process: making one runs `dbt --version` (about 2 s) to check it."""
    return DbtCliResource(project_dir=str(SQL_MODELS_DIR), profiles_dir=profiles_dir, dbt_executable=dbt_executable())


def _as_results(events: Iterator[Any], done: set[dg.AssetKey]) -> Iterator[Any]:
    """dagster-dbt's events for an invocation without a context, as this asset's own results."""
    for event in events:
        if isinstance(event, dg.AssetMaterialization):
            done.add(event.asset_key)
            yield dg.MaterializeResult(asset_key=event.asset_key, metadata={**event.metadata, "dbt": "built"})
        elif isinstance(event, dg.AssetCheckEvaluation):
            yield dg.AssetCheckResult(
                asset_key=event.asset_key, check_name=event.check_name, passed=event.passed,
                severity=event.severity, metadata=event.metadata,
            )
        else:
            yield event


def _build(
    context: dg.AssetExecutionContext, estate: Estate, warehouse: Warehouse, translator: R57Translator,
    select: str, done: set[dg.AssetKey],
) -> Iterator[Any]:
    """One `dbt build --select <select>`; yields its results; returns {asset key: dbt's message} of failures."""
    dbt, target = _dbt(warehouse, estate.home)
    # --cache-selected-only: dbt otherwise lists every schema of the warehouse first (1.6 s for the sample estate)
    args = ["build", "--select", select, "--cache-selected-only"]
    with warehouse.released():
        invocation = dbt.cli(
            args, manifest=MANIFEST, dagster_dbt_translator=translator, raise_on_error=False, target_path=target
        )
        yield from _as_results(invocation.stream(), done)
        results = invocation.get_artifact("run_results.json")["results"]
    manifest = invocation.manifest
    failed = {}
    for result in results:
        unique_id = result["unique_id"]
        if unique_id.startswith("model.") and result["status"] not in ("success",):
            key = translator.get_asset_spec(manifest, unique_id, None).key
            # dbt quotes DuckDB, whose messages may quote a value: long digit runs hidden, as in every message
            failed[key] = mask_text(f"dbt {result['status']}: {(result.get('message') or '').strip()}")
    context.log.info(f"dbt build --select {select}: {len(results)} nodes, {len(failed)} model(s) not built")
    return failed


def build_sql_model_assets(registry: Registry) -> list[dg.AssetsDefinition]:
    project_key = prepare(registry)
    translator = R57Translator(registry)

    @dbt_assets(
        manifest=MANIFEST, select=STAGING, name="staging_models", dagster_dbt_translator=translator
    )
    def staging_models(context: dg.AssetExecutionContext, estate: Estate, warehouse: Warehouse):
        clock = StepClock.start()
        keys_by_database: dict[str, list[dg.AssetKey]] = {}
        for key in context.selected_asset_keys:
            keys_by_database.setdefault(key.path[0], []).append(key)
        with warehouse.connect() as con:
            built_from = {db: _built_from(loaded_delivery_sha256(con, db), project_key) for db in keys_by_database}
            previous = {
                db: (key, json.loads(failures))
                for db, key, failures in con.execute("select database_id, built_from, failures from r57.staging_builds")
                .fetchall()
            }
        stale = sorted(db for db, key in built_from.items() if key and previous.get(db, (None,))[0] != key)
        done: set[dg.AssetKey] = set()
        failed: dict[dg.AssetKey, str] = {}
        if stale:
            select = " ".join(f"tag:{database_tag(db)}" for db in stale)
            failed = yield from _build(context, estate, warehouse, translator, select, done)
            with warehouse.connect() as con:
                for db in stale:
                    failures = {k.to_user_string(): failed[k] for k in keys_by_database[db] if k in failed}
                    con.execute("delete from r57.staging_builds where database_id = ?", [db])
                    con.execute(
                        "insert into r57.staging_builds values (?, ?, ?, ?)",
                        [db, built_from[db], dt.datetime.now(dt.timezone.utc), json.dumps(failures)],
                    )
        for db, keys in sorted(keys_by_database.items()):
            earlier_failures = previous.get(db, (None, {}))[1]
            for key in keys:
                if key in done:
                    continue
                if key in failed:
                    status = {"dbt": "failed", "error": failed[key]}
                elif built_from[db] is None:
                    status = {"dbt": "not built: the database has no loaded delivery"}
                elif db in stale:
                    status = {"dbt": "failed", "error": "dbt reported nothing for this model"}
                elif key.to_user_string() in earlier_failures:
                    status = {"dbt": "failed (unchanged)", "error": earlier_failures[key.to_user_string()]}
                else:
                    status = {"dbt": "unchanged: built from the same delivery and SQL"}
                if "error" in status:
                    context.log.warning(f"{key.to_user_string()}: {status['error']}")
                yield dg.MaterializeResult(asset_key=key, metadata=status)
        step_done(context, SQL_MODELS, "staging", 0, sql_model_steps_in_run(context), clock)

    @dbt_assets(manifest=MANIFEST, select=MARTS, name="marts", dagster_dbt_translator=translator)
    def marts(context: dg.AssetExecutionContext, estate: Estate, warehouse: Warehouse):
        clock = StepClock.start()
        done: set[dg.AssetKey] = set()
        failed = yield from _build(context, estate, warehouse, translator, MARTS, done)
        for key in sorted(context.selected_asset_keys - done):
            yield dg.MaterializeResult(asset_key=key, metadata={"dbt": "failed", "error": failed.get(key, "not built")})
        step_done(context, SQL_MODELS, "marts", 0, sql_model_steps_in_run(context), clock)

    return [staging_models, marts]


def _built_from(delivery_sha256: str | None, project_key: str) -> str | None:
    """What a database's staging views are built from: its loaded delivery and the dbt project."""
    if delivery_sha256 is None:
        return None
    return hashlib.sha256(f"{delivery_sha256}\0{project_key}".encode()).hexdigest()


def staging_keys_of(registry: Registry, database_id: str) -> list[dg.AssetKey]:
    """The staging assets of a database (none if no staging model reads its tables)."""
    contract = registry.databases[database_id].contract
    return [staging_key(database_id, m.target_table) for m in staging_models_for(contract)]


def mart_keys() -> list[dg.AssetKey]:
    return [mart_key(m.name) for m in load_project().models.values() if not m.layer.per_database]
