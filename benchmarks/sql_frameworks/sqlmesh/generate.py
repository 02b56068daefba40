"""Generate SQLMesh models from r57's single copy of the SQL (dbt_like_sql/) and the registry.

One file per staging model with `blueprints` (one model per database that has the table: name
stg_@{db}.<table>, raw.<t> -> raw_@{db}.<t>), one per mart; YAML tests -> non-blocking built-in audits.
Run with r57's python (needs the registry):  python generate.py <r57 checkout> [WAREHOUSE [EXCLUDE]]
EXCLUDE (db.table,...): leave those out (SQLMesh does not promote prod if any model fails).
With WAREHOUSE, only databases that have a raw_<db> schema there get models (a model over a missing table fails).
"""
import re, shutil, sys
from pathlib import Path
import yaml

r57 = Path(sys.argv[1]); sys.path.insert(0, str(r57))
from r57_pipelines.registry import load_registry  # noqa: E402

here = Path(__file__).parent
sql_root = r57 / "dbt_like_sql"
REF = re.compile(r"\b(raw|stg)\.([a-z_][a-z0-9_]*)\b")


def lit(v):
    return "'" + str(v).replace("'", "''") + "'"


def audits(spec: dict) -> list[str]:
    out = []
    for c in spec.get("columns", []):
        col = c["name"]
        for t in c.get("data_tests") or []:
            kind, args = (t, {}) if isinstance(t, str) else next(iter(t.items()))
            if kind == "not_null":
                out.append(f"not_null_non_blocking(columns := ({col}))")
            elif kind == "unique":  # r57: nulls are not duplicates
                out.append(f"unique_values_non_blocking(columns := ({col}), condition := {col} is not null)")
            elif kind == "accepted_values":
                vals = ", ".join(lit(v) for v in args["values"])
                out.append(f"accepted_values_non_blocking(column := {col}, is_in := ({vals}), condition := {col} is not null)")
            else:
                raise ValueError(kind)
    for t in spec.get("data_tests") or []:
        (kind, args), = t.items()
        cols = args["combination_of_columns"]
        cond = " and ".join(f"{c} is not null" for c in cols)
        out.append(f"unique_combination_of_columns_non_blocking(columns := ({', '.join(cols)}), condition := {cond})")
    return out


def header(name: str, kind: str, spec: dict, blueprints: list[str] | None = None) -> str:
    lines = [f"  name {name},", f"  kind {kind},", f"  description {lit(spec.get('description', '').strip())},"]
    if blueprints:
        lines.append("  blueprints (" + ", ".join(f"(db := {b})" for b in blueprints) + "),")
    a = audits(spec)
    if a:
        lines.append("  audits (\n    " + ",\n    ".join(a) + "\n  ),")
    lines.append("  column_descriptions (\n    " + ",\n    ".join(
        f"{c['name']} = {lit(c.get('description', ''))}" for c in spec.get("columns", [])) + "\n  )")
    return "MODEL (\n" + "\n".join(lines) + "\n);\n\n"


def specs(folder: Path) -> dict:
    return {m["name"]: m for p in folder.glob("*.yml") for m in yaml.safe_load(p.read_text())["models"]}


models = here / "models"
shutil.rmtree(models, ignore_errors=True)
(models / "staging").mkdir(parents=True); (models / "marts").mkdir()
registry = load_registry()
delivered = None
exclude = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else set()
if len(sys.argv) > 2:
    import duckdb
    con = duckdb.connect(sys.argv[2], read_only=True)
    delivered = {s[4:] for (s,) in con.execute("select schema_name from information_schema.schemata "
                                               "where schema_name like 'raw\\_%' escape '\\'").fetchall()}
stg_specs, mart_specs = specs(sql_root / "models/staging"), specs(sql_root / "models/marts")
n = 0
for p in sorted((sql_root / "models/staging").glob("stg_*.sql")):
    table = p.stem[4:]
    dbs = [d.id for d in registry.databases.values() if table in {t.name for t in d.contract.tables}
           and (delivered is None or d.id in delivered) and f"{d.id}.{table}" not in exclude]
    if not dbs:
        continue
    n += len(dbs)
    sql = REF.sub(lambda m: f"{m.group(1)}_@{{db}}.{m.group(2)}", p.read_text())
    (models / "staging" / p.name).write_text(header(f"stg_@{{db}}.{table}", "VIEW", stg_specs[p.stem], dbs) + sql)
for p in sorted((sql_root / "models/marts").glob("*.sql")):
    (models / "marts" / p.name).write_text(header(f"marts.{p.stem}", "FULL", mart_specs[p.stem]) + p.read_text())
print(f"staging models {n} from {len(stg_specs)} templates, marts {len(mart_specs)}")
