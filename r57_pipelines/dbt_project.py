"""The dbt project of `dbt_like_sql/`: its models generated for every database, parsed into a manifest.

The SQL is written once, in `dbt_like_sql/models/`, with placeholder schemas (`raw.`, `stg.`, `r57.`,
`marts.`; sql_models.py reads and checks it). dbt has no "one model per schema" template and a model name
must be unique in a project, so each staging model is generated once per database whose contract has its
tables: `generated/models/staging/<db>/<db>__<table>.sql`, built as the view `stg_<db>.<table>` (alias and
schema in its YAML) and tagged `db_<db>`. Placeholders become `source()` / `ref()`; a model's YAML entry
and tests are copied to each instance. r57's DuckDB macros become one dbt macro run `on-run-start`.

The generated files are build output (not committed): `prepare()` writes them when the SQL, the registry or
the dbt configuration changed, and runs `dbt parse` for the manifest dagster-dbt reads. A file lock keeps
two processes (the webserver's code server, a run, a test) from generating or parsing at once.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import sqlglot
import yaml
from filelock import FileLock
from sqlglot.tokens import TokenType

from r57_pipelines.paths import SQL_MODELS_DIR
from r57_pipelines.registry import Registry
from r57_pipelines.sql_models import DIALECT, Model, Project, load_project, staging_models_for

GENERATED_DIR = SQL_MODELS_DIR / "generated"
TARGET_DIR = SQL_MODELS_DIR / "target"
MANIFEST = TARGET_DIR / "manifest.json"
PARSE_PROFILES_DIR = GENERATED_DIR / "parse_profile"
# What the generated project is made from, besides the models and the registry.
DBT_CONFIG = ("dbt_project.yml", "dbt_macros", "dbt_tests")
STAMP = ".made_from"
MART_SCHEMA = "marts"


def model_name(database_id: str, table: str) -> str:
    """A staging model's dbt name, unique in the project; it builds `stg_<database_id>.<table>`."""
    return f"{database_id}__{table}"


def database_tag(database_id: str) -> str:
    """The dbt tag of a database's staging models: `dbt build --select tag:db_<id>`."""
    return f"db_{database_id}"


def dbt_sql(model: Model, database_id: str | None) -> str:
    """The model's SQL as written, with each relation it reads as source() or ref().

    Edited at the tokens sqlglot reads as `<schema> . <table>` for the relations load_project found, so a
    string literal or a comment that spells `raw.t` stays as it is; the rest of the text (comments, layout)
    is the reviewed file's.
    """
    sql = model.path.read_text(encoding="utf-8")
    calls = {
        "raw": lambda t: f"{{{{ source('raw_{database_id}', '{t}') }}}}",
        "stg": lambda t: f"{{{{ ref('{model_name(database_id, t)}') }}}}",
        "r57": lambda t: f"{{{{ source('r57', '{t}') }}}}",
        "marts": lambda t: f"{{{{ ref('{t}') }}}}",
    }
    relations = model.sources | model.reads
    tokens = sqlglot.Dialect.get_or_raise(DIALECT).tokenize(sql)
    edits = []
    for schema, dot, table in zip(tokens, tokens[1:], tokens[2:]):
        if dot.token_type == TokenType.DOT and (schema.text.lower(), table.text.lower()) in relations:
            edits.append((schema.start, table.end + 1, calls[schema.text.lower()](table.text.lower())))
    for start, end, call in reversed(edits):
        sql = sql[:start] + call + sql[end:]
    return sql


def _check_no_jinja(text: str, path: Path) -> None:
    if re.search(r"\{[{%#]", text):
        raise ValueError(f"{path}: '{{{{', '{{%' or '{{#' would be read by dbt as Jinja")


def _tests(tests: list) -> list:
    """r57's YAML tests in dbt 1.11's spelling: a test's arguments under `arguments:`."""
    out = []
    for test in tests or []:
        if isinstance(test, dict):
            ((name, args),) = test.items()
            out.append({name: {"arguments": args}})
        else:
            out.append(test)
    return out


def model_yaml(model: Model, name: str, config: dict) -> dict:
    spec = model.spec
    entry = {
        "name": name,
        "description": spec.get("description", ""),
        "config": {"materialized": model.materialized, **config,
                   "meta": {"grain": spec.get("grain", ""), **config.get("meta", {})}},
        "columns": [
            {"name": c["name"], "description": c.get("description", ""),
             **({"data_tests": _tests(c["data_tests"])} if c.get("data_tests") else {})}
            for c in spec.get("columns") or []
        ],
    }
    if spec.get("data_tests"):
        entry["data_tests"] = _tests(spec["data_tests"])
    return entry


def generated_files(registry: Registry, project: Project | None = None) -> dict[str, str]:
    """Relative path -> text of every generated file (deterministic: the same inputs give the same files)."""
    project = project or load_project()
    files: dict[str, str] = {}
    for model in project.models.values():
        _check_no_jinja(model.path.read_text(encoding="utf-8"), model.path)
    for database in registry.databases.values():
        models = staging_models_for(database.contract, project)
        if not models:
            continue
        raw_tables = sorted({t for m in models for t in m.raw_tables})
        doc = {
            "version": 2,
            "sources": [{"name": f"raw_{database.id}", "schema": f"raw_{database.id}",
                         "tables": [{"name": t} for t in raw_tables]}],
            "models": [],
        }
        for model in models:
            name = model_name(database.id, model.target_table)
            files[f"models/staging/{database.id}/{name}.sql"] = dbt_sql(model, database.id)
            config = {"alias": model.target_table, "schema": f"stg_{database.id}",
                      "tags": ["staging", database_tag(database.id)],
                      "meta": {"r57_database": database.id, "r57_table": model.target_table}}
            doc["models"].append(model_yaml(model, name, config))
        files[f"models/staging/{database.id}/_{database.id}.yml"] = _dump(doc)
    marts = [m for m in project.models.values() if not m.layer.per_database]
    r57_tables = sorted({t for m in marts for s, t in m.sources if s == "r57"})
    for model in marts:
        files[f"models/marts/{model.name}.sql"] = dbt_sql(model, None)
    files["models/marts/_marts.yml"] = _dump({
        "version": 2,
        "sources": [{"name": "r57", "schema": "r57", "tables": [{"name": t} for t in r57_tables]}],
        "models": [model_yaml(m, m.name, {"tags": ["mart"]}) for m in marts],
    })
    for macro in project.macros.values():
        _check_no_jinja(macro.body_sql, macro.path)
    ddl = ";\n".join(m.ddl for m in project.macros.values())
    files["macros/r57_create_duckdb_macros.sql"] = (
        "{# generated by r57_pipelines/dbt_project.py from dbt_like_sql/macros/*.sql; autocommitted, since\n"
        "   the models run on connections of their own that must see the macros #}\n"
        "{% macro r57_create_duckdb_macros() %}\n{% call statement('r57_duckdb_macros', auto_begin=False) %}\n"
        f"{ddl}\n{{% endcall %}}\n{{% endmacro %}}\n"
    )
    files["parse_profile/profiles.yml"] = profiles_yaml(":memory:", {})
    return files


def _dump(doc: dict) -> str:
    return "# generated by r57_pipelines/dbt_project.py: edit dbt_like_sql/models/, not this file\n" + yaml.safe_dump(
        doc, sort_keys=False, allow_unicode=True
    )


def profiles_yaml(warehouse: str, settings: dict) -> str:
    """dbt's profile: the DuckDB file and r57's DuckDB settings (memory limit, threads, spill folder)."""
    output = {"type": "duckdb", "path": warehouse, "schema": "main", "threads": 1}
    if settings:
        output["settings"] = {k: v for k, v in settings.items()}
    return yaml.safe_dump({"r57": {"target": "warehouse", "outputs": {"warehouse": output}}}, sort_keys=False)


def write_profile(folder: Path, warehouse: str, settings: dict) -> Path:
    """`<folder>/profiles.yml` for `warehouse`; returns the folder, dbt's --profiles-dir."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "profiles.yml").write_text(profiles_yaml(warehouse, settings), encoding="utf-8")
    return folder


def build_command(profiles_dir: Path, select: str) -> list[str]:
    """`dbt build` of this project outside Dagster (benchmarks, an engineer at a shell)."""
    return [dbt_executable(), "build", "--quiet", "--select", select, "--project-dir", str(SQL_MODELS_DIR),
            "--profiles-dir", str(profiles_dir), "--target-path", str(profiles_dir / "target"),
            "--log-path", str(profiles_dir / "target")]


def _made_from(files: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for rel, text in sorted(files.items()):
        digest.update(f"{rel}\0{text}\0".encode())
    for name in DBT_CONFIG:
        base = SQL_MODELS_DIR / name
        for path in sorted([base] if base.is_file() else (p for p in base.rglob("*") if p.is_file())):
            digest.update(f"{path.relative_to(SQL_MODELS_DIR)}\0".encode() + path.read_bytes() + b"\0")
    return digest.hexdigest()


def dbt_executable() -> str:
    """The `dbt` of the interpreter running r57 (its venv), whatever PATH says."""
    return str(Path(sys.executable).with_name("dbt"))


def prepare(registry: Registry) -> str:
    """Generate the models and parse the project when anything they are made from changed.

    Returns the build key of the SQL: a hash of the generated project and the dbt configuration (part of
    what a database's staging views are built from). A prepared project is only compared, never written,
    so a read-only checkout (a server's, prepared by `make setup`) loads as long as nothing changed.
    """
    files = generated_files(registry)
    made_from = _made_from(files)
    if _prepared(made_from):
        return made_from
    try:
        TARGET_DIR.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(TARGET_DIR / ".prepare.lock"))
        lock.acquire()
    except OSError as exc:
        raise RuntimeError(
            f"the dbt project in {SQL_MODELS_DIR} must be generated again and cannot be written ({exc}): "
            "run `make setup` in the checkout"
        ) from exc
    try:
        if not _prepared(made_from):
            shutil.rmtree(GENERATED_DIR, ignore_errors=True)
            for rel, text in files.items():
                path = GENERATED_DIR / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            parsed = subprocess.run(
                [dbt_executable(), "parse", "--quiet", "--project-dir", str(SQL_MODELS_DIR),
                 "--profiles-dir", str(PARSE_PROFILES_DIR), "--target-path", str(TARGET_DIR),
                 "--log-path", str(TARGET_DIR / "logs")],
                capture_output=True, text=True, env=_dbt_environment(),
            )
            if parsed.returncode != 0:
                raise RuntimeError(f"dbt parse of {SQL_MODELS_DIR} failed:\n{parsed.stdout}{parsed.stderr}")
            (GENERATED_DIR / STAMP).write_text(made_from)
    finally:
        lock.release()
    return made_from


def _prepared(made_from: str) -> bool:
    stamp = GENERATED_DIR / STAMP
    return MANIFEST.exists() and stamp.exists() and stamp.read_text() == made_from


def _dbt_environment() -> dict[str, str]:
    return {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


if __name__ == "__main__":  # `make setup`: a checkout's dbt project ready before any service loads it
    from r57_pipelines.registry import load_registry

    print(f"dbt project {SQL_MODELS_DIR}: prepared ({prepare(load_registry())[:12]})")
