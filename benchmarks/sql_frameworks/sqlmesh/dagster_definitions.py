"""dagster-sqlmesh (community package) over the SQLMesh project: how it loads, what it yields."""
import time
t0 = time.perf_counter()
from pathlib import Path
import dagster as dg
from dagster_sqlmesh import SQLMeshContextConfig, SQLMeshResource, sqlmesh_assets
t_import = time.perf_counter() - t0

CONFIG = SQLMeshContextConfig(path=str(Path(__file__).parent / "r57_sqlmesh"), gateway="warehouse")


@sqlmesh_assets(environment="prod", config=CONFIG, enabled_subsetting=True)
def r57_sqlmesh(context: dg.AssetExecutionContext, sqlmesh: SQLMeshResource):
    # the documented signature (sqlmesh_context_config as a parameter) fails on dagster 1.13: taken for an asset input
    yield from sqlmesh.run(context, config=CONFIG, environment="prod")


defs = dg.Definitions(assets=[r57_sqlmesh], resources={"sqlmesh": SQLMeshResource()})
t_defs = time.perf_counter() - t0

if __name__ == "__main__":
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    print(f"import dagster+dagster_sqlmesh {t_import:.2f}s; @sqlmesh_assets + Definitions {t_defs - t_import:.2f}s")
    print(f"assets {len(r57_sqlmesh.keys)}, asset checks {len(graph.asset_check_keys)}, all keys incl. external {len(keys)}")
    print("sample keys:", sorted(k.to_user_string() for k in r57_sqlmesh.keys)[:3])
    print("deps of one staging asset:", [p.to_user_string() for p in graph.get(sorted(r57_sqlmesh.keys)[-1]).parent_keys])
