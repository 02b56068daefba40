"""dagster-dbt over the generated project: staging + marts as assets, dbt tests as asset checks.

Lineage from the deliveries: source raw_<db>.<table> maps to the key ["raw_<db>", <table>]. dagster-dbt
refuses two dbt sources with one asset key (DagsterInvalidDefinitionError), so they cannot all map to the one
delivery asset of their database: r57's delivery asset would have to declare one key per raw table
(a multi_asset), or these stay external source assets.
"""
import time
t0 = time.perf_counter()
from pathlib import Path
from typing import Any, Mapping
import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
t_import = time.perf_counter() - t0

PROJECT = DbtProject(project_dir=Path(__file__).parent / "r57_dbt", profiles_dir=Path(__file__).parent / "r57_dbt")


class R57Translator(DagsterDbtTranslator):
    def get_asset_key(self, props: Mapping[str, Any]) -> dg.AssetKey:
        if props["resource_type"] == "source" and props["source_name"].startswith("raw_"):
            return dg.AssetKey([props["source_name"], props["name"]])
        if props["resource_type"] == "model":
            return dg.AssetKey([props["config"]["schema"] or "main", props["alias"]])  # stg_<db>/<table>, marts/<name>
        return super().get_asset_key(props)

    def get_group_name(self, props: Mapping[str, Any]) -> str | None:
        return (props["config"].get("schema") or "main") if props["resource_type"] == "model" else None


@dbt_assets(manifest=PROJECT.manifest_path, dagster_dbt_translator=R57Translator())
def r57_sql_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(["build"], context=context).stream()


defs = dg.Definitions(assets=[r57_sql_models], resources={"dbt": DbtCliResource(project_dir=PROJECT, dbt_executable=str(Path(__import__("sys").executable).parent / "dbt"))})
t_defs = time.perf_counter() - t0

if __name__ == "__main__":
    t = time.perf_counter()
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    checks = graph.asset_check_keys
    deps_from_deliveries = sum(1 for k in keys if any(p.path[0].startswith("raw_") for p in graph.get(k).parent_keys))
    t_resolve = time.perf_counter() - t
    print(f"import dagster+dagster_dbt {t_import:.2f}s; @dbt_assets + Definitions {t_defs - t_import:.2f}s; "
          f"resolve asset graph {t_resolve:.2f}s")
    print(f"assets (dbt models) {len(r57_sql_models.keys)}, asset checks {len(checks)}, "
          f"models whose parent is a delivery asset {deps_from_deliveries}, all keys incl. external {len(keys)}")
