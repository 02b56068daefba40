"""Fixtures for the SQL-model tests: the registry, the real models as dbt compiles them, hand-made raw tables."""

from __future__ import annotations

import graphlib
import json
import subprocess
from collections.abc import Callable, Sequence

import duckdb
import pytest

from r57_pipelines import sql_models
from r57_pipelines.dbt_project import PARSE_PROFILES_DIR, dbt_executable, prepare
from r57_pipelines.paths import SQL_MODELS_DIR
from r57_pipelines.registry import Column, Database, Registry, Table, load_registry
from r57_pipelines.warehouse import qualified, quoted, raw_schema


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry()


@pytest.fixture(scope="session")
def project() -> sql_models.Project:
    return sql_models.load_project()


@pytest.fixture(scope="session")
def database_per_template(registry: Registry) -> dict[str, Database]:
    """The first registered database of each contract template."""
    chosen: dict[str, Database] = {}
    for database in registry.databases.values():
        if database.contract_template:
            chosen.setdefault(database.contract_template, database)
    return chosen


@pytest.fixture(scope="session")
def compiled(registry: Registry, tmp_path_factory) -> dict[str, dict]:
    """dbt's manifest nodes of every model and test with `compiled_code`: the SQL dbt runs, by dbt name.

    Compiled once per session for an in-memory warehouse (the parse profile), so relations read
    `"memory"."raw_<db>"."<table>"`, which is what an in-memory DuckDB connection calls them.
    """
    prepare(registry)
    target = tmp_path_factory.mktemp("dbt_compile")
    subprocess.run(
        [dbt_executable(), "compile", "--quiet", "--project-dir", str(SQL_MODELS_DIR), "--profiles-dir",
         str(PARSE_PROFILES_DIR), "--target-path", str(target), "--log-path", str(target)],
        check=True, capture_output=True,
    )
    nodes = json.loads((target / "manifest.json").read_text(encoding="utf-8"))["nodes"].values()
    return {n["name"]: n for n in nodes if n["resource_type"] in ("model", "test")}


def create_macros(con: duckdb.DuckDBPyConnection, project: sql_models.Project) -> None:
    """The macros, by the statements dbt's on-run-start hook runs (dbt_project.py generates it from Macro.ddl)."""
    for macro in project.macros.values():
        con.execute(macro.ddl)


def build_compiled(con: duckdb.DuckDBPyConnection, nodes: Sequence[dict], project: sql_models.Project) -> None:
    """Create `nodes` on `con` from dbt's compiled SQL, upstream first, as dbt materialises them.

    The SQL is exactly dbt's; what this leaves out is dbt's process (hooks, transactions, failure
    handling), which tests/test_sql_model_assets.py covers by running dbt through Dagster.
    """
    create_macros(con, project)
    by_id = {n["unique_id"]: n for n in nodes}
    order = graphlib.TopologicalSorter({u: [d for d in n["depends_on"]["nodes"] if d in by_id] for u, n in by_id.items()})
    for unique_id in order.static_order():
        node = by_id[unique_id]
        kind = node["config"]["materialized"]
        relation = f'"{node["schema"]}"."{node["alias"]}"'
        con.execute(f'create schema if not exists "{node["schema"]}"')
        con.execute(f"create or replace {kind} {relation} as {node['compiled_code']}")


@pytest.fixture
def stage(con, compiled, project) -> Callable[[Database], None]:
    """stage(database): build the database's staging views over its raw tables on `con`."""

    def build(database: Database) -> None:
        nodes = [
            n for n in compiled.values()
            if n["resource_type"] == "model" and (n["config"].get("meta") or {}).get("r57_database") == database.id
        ]
        assert nodes, f"no staging model for {database.id}"
        build_compiled(con, nodes, project)

    return build


@pytest.fixture
def con():
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    yield connection
    connection.close()


def clean_value(column: Column, i: int) -> str:
    """A valid value as a ministry would deliver it: already in the normal form staging produces."""
    by_type = {
        "integer": str(i + 1),
        "bigint": str(10_000_000_000 + i),
        "double": "12.5",
        "boolean": "true",
        "date": "2024-05-06",
        "timestamp": "2025-01-02T03:04:05+07:00",
    }
    if column.type in by_type:
        return by_type[column.type]
    by_kind = {
        "personal_id": f"{1_000_000_000 + i:012d}",
        "tax_code": f"{100_000_000 + i:010d}",
        "phone": "0912345678",
        "province_code": "01",
        "commune_code": "00004",
        "person_name": "Nguyễn Văn An",
        "address": "Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội",
        "sex": ("Nam", "Nữ")[i % 2],
        "plate": f"30A-123.{i:02d}",
        "text": f"Công ty Cổ phần Số {i}",
        "code": f"C{i}",
        "birth_date": "1990-01-02",
        "date": "2024-05-06",
        "updated_at": "2025-01-02T03:04:05+07:00",
        "amount": "12.5",
    }
    return by_kind[column.kind.value]


RawMaker = Callable[..., None]


@pytest.fixture
def make_raw(con: duckdb.DuckDBPyConnection) -> RawMaker:
    """make_raw(database_id, table, rows=[{col: text}], columns=[...]): an all-VARCHAR raw table as loaded."""

    def make(database_id: str, table: str, rows: Sequence[dict[str, str | None]], columns: Sequence[str]) -> None:
        schema = raw_schema(database_id)
        con.execute(f"create schema if not exists {quoted(schema)}")
        con.execute(
            f"create or replace table {qualified(schema, table)} ("
            + ", ".join(f"{quoted(c)} varchar" for c in columns)
            + ")"
        )
        if rows:
            placeholders = ", ".join("?" for _ in columns)
            con.executemany(
                f"insert into {qualified(schema, table)} values ({placeholders})",
                [[row.get(c) for c in columns] for row in rows],
            )

    return make


@pytest.fixture
def make_clean_raw(make_raw: RawMaker) -> Callable[[str, Table, int], list[dict[str, str]]]:
    """Load `n` clean rows of a contract table as `raw_<db>.<table>` and return them."""

    def make(database_id: str, table: Table, n: int = 3) -> list[dict[str, str]]:
        rows = [{c.name: clean_value(c, i) for c in table.columns} for i in range(n)]
        make_raw(database_id, table.name, rows, [c.name for c in table.columns])
        return rows

    return make
