"""Time r57's hand-written runner (sql_models.py) on a copy of the sample warehouse.

Run with the project venv python (.venv/bin/python) (nothing installed there; read-only use of the r57 package).
Usage: python time_hand_runner.py WAREHOUSE.duckdb [repeats]
"""
import sys, time
import duckdb
from r57_pipelines import sql_models
from r57_pipelines.registry import load_registry

path = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
t0 = time.perf_counter()
registry = load_registry()
project = sql_models.load_project()
t_load = time.perf_counter() - t0
con = duckdb.connect(path)
raw = {s for (s,) in con.execute("select schema_name from information_schema.schemata where schema_name like 'raw\\_%' escape '\\'").fetchall()}
dbs = [d for d in registry.databases.values() if f"raw_{d.id}" in raw]
print(f"registry databases {len(registry.databases)}, with raw_ schema {len(dbs)}; load_project {t_load:.2f}s")
for i in range(repeats):
    t = time.perf_counter()
    outcomes = []
    for d in dbs:
        outcomes += sql_models.run_staging(con, d, project)
    t_stg = time.perf_counter() - t
    t = time.perf_counter()
    marts = sql_models.run_marts(con, project)
    t_marts = time.perf_counter() - t
    t = time.perf_counter()
    failing = {}
    n_tests = 0
    for d in dbs:
        built = [project.models[o.model] for o in outcomes if o.ok and o.database_id == d.id]
        r = sql_models.run_data_tests(con, built, d.id)
        n_tests += len(r); failing.update({f"{d.id}/{k}": v for k, v in r.items() if v})
    r = sql_models.run_data_tests(con, [project.models[o.model] for o in marts if o.ok])
    n_tests += len(r); failing.update({k: v for k, v in r.items() if v})
    t_tests = time.perf_counter() - t
    ok = sum(o.ok for o in outcomes)
    print(f"run {i+1}: staging {len(outcomes)} models ({ok} ok, {len(outcomes)-ok} failed) {t_stg:.2f}s; "
          f"marts {len(marts)} ({sum(o.ok for o in marts)} ok) {t_marts:.2f}s; "
          f"data tests {n_tests} ({len(failing)} failing) {t_tests:.2f}s; total {t_stg+t_marts+t_tests:.2f}s")
for o in outcomes:
    if not o.ok:
        print("  failed:", o.target, (o.error or "")[:120])
print("  failing tests:", len(failing), list(failing.items())[:8])
