"""The SQL models in `dbt_like_sql/models/`: discover them, order them by what they read, build them on DuckDB.

A model is one SELECT in a `.sql` file. Models name the relations they read with placeholder schemas:

    raw.<table>     a database's delivered table (source)      -> raw_<database_id>.<table>
    stg.<table>     a staging model's target                   -> stg_<database_id>.<table>
    r57.<table>     r57's own tables (source, see warehouse/schema.sql)
    marts.<table>   a mart model's target

Where a model sits decides its layer (see LAYERS): staging models are built once per database as views in
`stg_<database_id>`, marts once for the estate as tables in `marts`. The model's YAML may override the
materialisation (`config: {materialized: view|table}`). The run order comes from the SQL itself: every
`stg.*` / `marts.*` table a model reads is an edge to the model that builds it, sorted with graphlib.
Placeholders are re-targeted on sqlglot's AST (exp.Table nodes), never by editing the SQL text.

Failures do not raise at run time: each model gives a ModelOutcome, a failed model's target is dropped
(nothing reads a stale or broken relation) and the models downstream of it are reported as not built.
Problems with the models themselves (bad SQL, missing YAML, unknown reference, cycle) raise ModelError.
"""

from __future__ import annotations

import graphlib
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
import sqlglot.expressions as exp
import yaml
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema

from r57_pipelines.paths import SQL_MODELS_DIR
from r57_pipelines.registry import Contract, Database
from r57_pipelines.warehouse import qualified, quoted, raw_schema

DIALECT = "duckdb"
MATERIALIZATIONS = ("view", "table")
# Placeholder schemas read but never built here.
SOURCE_SCHEMAS = frozenset({"raw", "r57"})


class ModelError(ValueError):
    """The models themselves are wrong: unparsable SQL, missing YAML, unknown reference, cycle."""


@dataclass(frozen=True)
class Layer:
    folder: str  # directory under models/
    schema: str  # placeholder schema of the layer's targets
    prefix: str  # stripped from a model's name to give its target table (stg_citizen -> stg.citizen)
    materialized: str  # default materialisation, overridable in the model's YAML
    per_database: bool  # built once per database (schemas re-targeted) or once for the estate
    reads: frozenset[str]  # placeholder schemas its models may read


LAYERS = (
    Layer("staging", "stg", "stg_", "view", True, frozenset({"raw", "stg"})),
    Layer("marts", "marts", "", "table", False, frozenset({"r57", "marts"})),
)


@dataclass(eq=False)
class Model:
    name: str
    path: Path
    layer: Layer
    query: exp.Query  # as written, placeholders and all; never mutated
    materialized: str
    spec: dict[str, Any]  # the model's YAML entry
    target_table: str
    sources: frozenset[tuple[str, str]]  # (placeholder schema, table) of sources read
    reads: frozenset[tuple[str, str]]  # (placeholder schema, table) of other models' targets read
    depends_on: frozenset[str] = frozenset()  # model names, filled in by load_project

    @property
    def target(self) -> str:
        """Placeholder target, e.g. `stg.citizen` or `marts.ministry_deliveries`."""
        return f"{self.layer.schema}.{self.target_table}"

    @property
    def raw_tables(self) -> frozenset[str]:
        return frozenset(t for s, t in self.sources if s == "raw")


@dataclass
class Project:
    models: dict[str, Model]  # in run order
    directory: Path

    def layer(self, schema: str) -> list[Model]:
        return [m for m in self.models.values() if m.layer.schema == schema]


@dataclass
class ModelOutcome:
    model: str
    target: str  # the relation built, e.g. stg_population.citizen
    ok: bool
    error: str | None = None
    seconds: float = 0.0
    database_id: str | None = None  # None for estate-wide models


# ---------------------------------------------------------------- discovery


def _layer_of(path: Path, models_root: Path) -> Layer:
    folder = path.relative_to(models_root).parts[0]
    for layer in LAYERS:
        if layer.folder == folder:
            return layer
    raise ModelError(f"{path}: models must sit under one of {[l.folder for l in LAYERS]} in {models_root}")


def _read_specs(folder: Path) -> dict[str, tuple[Path, dict]]:
    """Model entries from every YAML file in a folder (one per model, or one schema.yml for the folder)."""
    specs: dict[str, tuple[Path, dict]] = {}
    for path in sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ModelError(f"{path}: not valid YAML: {exc}") from exc
        entries = data.get("models") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise ModelError(f"{path}: expected a top-level 'models' list")
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise ModelError(f"{path}: every entry under 'models' needs a 'name'")
            if entry["name"] in specs:
                raise ModelError(f"{path}: model {entry['name']!r} is also described in {specs[entry['name']][0]}")
            specs[entry["name"]] = (path, entry)
    return specs


def _parse(path: Path) -> exp.Query:
    try:
        statements = [s for s in sqlglot.parse(path.read_text(encoding="utf-8"), read=DIALECT) if s is not None]
    except SqlglotError as exc:
        raise ModelError(f"{path}: sqlglot cannot parse it: {exc}") from exc
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        raise ModelError(f"{path}: a model is exactly one SELECT statement")
    return statements[0]


def _relations_read(path: Path, query: exp.Query) -> set[tuple[str, str]]:
    """(schema, table) of every relation the query reads; CTE references are not relations."""
    ctes = {cte.alias_or_name for cte in query.find_all(exp.CTE)}
    relations = set()
    for table in query.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            raise ModelError(f"{path}: reads from a table function ({table.sql(dialect=DIALECT)}); read tables only")
        if table.catalog:
            raise ModelError(f"{path}: {table.sql(dialect=DIALECT)}: name tables as <schema>.<table>, no catalog")
        if not table.db:
            if table.name in ctes:
                continue
            raise ModelError(f"{path}: reads {table.name!r} without a schema and no CTE has that name")
        relations.add((table.db, table.name))
    return relations


def load_project(models_dir: Path | str = SQL_MODELS_DIR / "models") -> Project:
    """Discover, parse and order every model under `models_dir`; ModelError on any problem."""
    root = Path(models_dir)
    if not root.is_dir():
        raise ModelError(f"{root}: no models directory")
    specs_by_folder: dict[Path, dict[str, tuple[Path, dict]]] = {}
    models: dict[str, Model] = {}
    for path in sorted(root.rglob("*.sql")):
        layer = _layer_of(path, root)
        name = path.stem
        if name in models:
            raise ModelError(f"{path}: model name {name!r} is also used by {models[name].path}")
        if not name.startswith(layer.prefix) or name == layer.prefix:
            raise ModelError(f"{path}: models under {layer.folder}/ are named {layer.prefix}<table>")
        if path.parent not in specs_by_folder:
            specs_by_folder[path.parent] = _read_specs(path.parent)
        spec_path, spec = specs_by_folder[path.parent].get(name, (None, None))
        if spec is None:
            raise ModelError(f"{path}: no YAML entry for model {name!r} in {path.parent} (grain, columns, tests)")
        materialized = (spec.get("config") or {}).get("materialized", layer.materialized)
        if materialized not in MATERIALIZATIONS:
            raise ModelError(f"{spec_path}: {name}: materialized must be one of {MATERIALIZATIONS}")
        query = _parse(path)
        relations = _relations_read(path, query)
        for schema, table in sorted(relations):
            if schema not in layer.reads:
                raise ModelError(
                    f"{path}: reads {schema}.{table}; {layer.folder} models may read only "
                    f"{', '.join(s + '.*' for s in sorted(layer.reads))}"
                )
        models[name] = Model(
            name=name,
            path=path,
            layer=layer,
            query=query,
            materialized=materialized,
            spec=spec,
            target_table=name[len(layer.prefix) :],
            sources=frozenset(r for r in relations if r[0] in SOURCE_SCHEMAS),
            reads=frozenset(r for r in relations if r[0] not in SOURCE_SCHEMAS),
        )
    for folder, specs in specs_by_folder.items():
        unknown = sorted(set(specs) - set(models))
        if unknown:
            raise ModelError(f"{folder}: YAML describes models with no .sql file: {unknown}")

    builders = {(m.layer.schema, m.target_table): m.name for m in models.values()}
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for model in models.values():
        missing = sorted(f"{s}.{t}" for s, t in model.reads if (s, t) not in builders)
        if missing:
            raise ModelError(f"{model.path}: reads {missing}, which no model builds")
        model.depends_on = frozenset(builders[r] for r in model.reads)
        sorter.add(model.name, *sorted(model.depends_on))
    try:
        order = list(sorter.static_order())
    except graphlib.CycleError as exc:
        cycle = exc.args[1]
        raise ModelError(f"models read each other in a cycle: {' -> '.join(cycle)}") from exc
    return Project(models={name: models[name] for name in order}, directory=root)


@cache
def _default_project() -> Project:
    return load_project()


# ---------------------------------------------------------------- compiling


def _retarget(query: exp.Query, schemas: Mapping[str, str]) -> exp.Query:
    """A copy of `query` with placeholder schemas replaced in table (and column) references, all quoted."""
    query = query.copy()
    for table in query.find_all(exp.Table):
        if table.db in schemas:
            table.set("db", exp.to_identifier(schemas[table.db], quoted=True))
            table.set("this", exp.to_identifier(table.name, quoted=True))
    for column in query.find_all(exp.Column):
        if column.args.get("db") is not None and column.text("db") in schemas:
            column.set("db", exp.to_identifier(schemas[column.text("db")], quoted=True))
    return query


def schema_mapping(database_id: str | None) -> dict[str, str]:
    """Placeholder -> warehouse schema: per-database names for staging, identity for estate-wide models."""
    if database_id is None:
        return {}
    return {"raw": raw_schema(database_id), "stg": f"stg_{database_id}"}


def target_of(model: Model, database_id: str | None = None) -> tuple[str, str]:
    schema = schema_mapping(database_id).get(model.layer.schema, model.layer.schema)
    return schema, model.target_table


def compile_model(model: Model, database_id: str | None = None) -> str:
    """The DuckDB DDL that builds `model` (for one database if it is a staging model)."""
    if model.layer.per_database and database_id is None:
        raise ValueError(f"{model.name} is built per database: pass database_id")
    if not model.layer.per_database and database_id is not None:
        raise ValueError(f"{model.name} is estate-wide: it takes no database_id")
    schema, table = target_of(model, database_id)
    create = exp.Create(
        this=exp.table_(table, db=schema, quoted=True),
        kind=model.materialized.upper(),
        replace=True,
        expression=_retarget(model.query, schema_mapping(database_id)),
    )
    return create.sql(dialect=DIALECT)


# ---------------------------------------------------------------- running


def _message(exc: Exception) -> str:
    text = str(exc).strip()
    return text.split("\n\nLINE ")[0] if text else type(exc).__name__


def _drop(con: duckdb.DuckDBPyConnection, model: Model, schema: str, table: str) -> None:
    try:
        con.execute(f"drop {model.materialized} if exists {qualified(schema, table)}")
    except duckdb.Error:
        pass  # e.g. an object of the other kind holds the name: leave it, the outcome says what failed


def _run(
    con: duckdb.DuckDBPyConnection, models: Iterable[Model], database_id: str | None
) -> list[ModelOutcome]:
    outcomes: list[ModelOutcome] = []
    failed: set[str] = set()
    for model in models:
        schema, table = target_of(model, database_id)
        outcome = ModelOutcome(model.name, f"{schema}.{table}", ok=False, database_id=database_id)
        started = time.perf_counter()
        upstream = sorted(model.depends_on & failed)
        if upstream:
            outcome.error = f"not built: upstream model(s) {', '.join(upstream)} failed"
            _drop(con, model, schema, table)
        else:
            try:
                con.execute(f"create schema if not exists {quoted(schema)}")
                con.execute(compile_model(model, database_id))
                outcome.ok = True
            except duckdb.Error as exc:
                outcome.error = _message(exc)
                _drop(con, model, schema, table)
        outcome.seconds = time.perf_counter() - started
        if not outcome.ok:
            failed.add(model.name)
        outcomes.append(outcome)
    return outcomes


def staging_models_for(contract: Contract, project: Project | None = None) -> list[Model]:
    """Staging models, in run order, whose raw tables are all in the contract (and whose inputs are too)."""
    project = project or _default_project()
    tables = {t.name for t in contract.tables}
    chosen: dict[str, Model] = {}
    for model in project.layer("stg"):
        if model.raw_tables <= tables and model.depends_on <= chosen.keys():
            chosen[model.name] = model
    return list(chosen.values())


def run_staging(
    con: duckdb.DuckDBPyConnection, database: Database, project: Project | None = None
) -> list[ModelOutcome]:
    """(Re)build the staging views `stg_<db>.*` over `raw_<db>.*`; one outcome per model, never raises on data."""
    return _run(con, staging_models_for(database.contract, project), database.id)


def run_marts(con: duckdb.DuckDBPyConnection, project: Project | None = None) -> list[ModelOutcome]:
    """(Re)build the estate-wide models (marts.*) over r57's own tables; one outcome per model."""
    project = project or _default_project()
    return _run(con, [m for m in project.models.values() if not m.layer.per_database], None)


# ---------------------------------------------------------------- static checks (tests, CI)


def contract_schema(contract: Contract) -> dict[str, dict[str, str]]:
    """sqlglot schema of a delivery as loaded: every contract column is VARCHAR in `raw`."""
    return {"raw": {t.name: {c.name: "varchar" for c in t.columns} for t in contract.tables}}


def ddl_schema(sql: str) -> dict[str, dict[str, str]]:
    """sqlglot schema of the CREATE TABLE statements in `sql` (e.g. warehouse/schema.sql), by schema."""
    schemas: dict[str, dict[str, dict[str, str]]] = {}
    for statement in sqlglot.parse(sql, read=DIALECT):
        if isinstance(statement, exp.Create) and statement.kind == "TABLE" and isinstance(statement.this, exp.Schema):
            table = statement.this.this
            columns = {
                c.name: c.args["kind"].sql(dialect=DIALECT)
                for c in statement.this.expressions
                if isinstance(c, exp.ColumnDef)
            }
            schemas.setdefault(table.db, {})[table.name] = columns
    return schemas


@dataclass
class QualifiedModel:
    query: exp.Query  # fully qualified by sqlglot (every column bound to a relation)
    columns: dict[str, str]  # output column -> type inferred by sqlglot ("UNKNOWN" where it cannot tell)


def qualify_models(
    models: Iterable[Model], sources: Mapping[str, Mapping[str, Mapping[str, str]]]
) -> dict[str, QualifiedModel]:
    """Qualify each model (in run order) against the sources plus the outputs of the models before it.

    Raises sqlglot's OptimizeError if a model reads a column or table that does not exist: a typo fails here.
    """
    schema = {s: {t: dict(cols) for t, cols in tables.items()} for s, tables in sources.items()}
    result: dict[str, QualifiedModel] = {}
    for model in models:
        mapping = MappingSchema(schema, dialect=DIALECT)
        query = qualify(model.query.copy(), schema=mapping, dialect=DIALECT, validate_qualify_columns=True)
        typed = annotate_types(query.copy(), schema=mapping, dialect=DIALECT)
        columns = {select.alias_or_name: select.type.sql(dialect=DIALECT) for select in typed.selects}
        schema.setdefault(model.layer.schema, {})[model.target_table] = columns
        result[model.name] = QualifiedModel(query, columns)
    return result


@dataclass
class DataTest:
    """A test stated in a model's YAML, compiled to a query returning the number of failing rows."""

    model: str
    name: str
    sql: str


def data_tests(model: Model, database_id: str | None = None) -> list[DataTest]:
    """not_null, unique, accepted_values (column level) and unique_combination_of_columns (model level)."""
    schema, table = target_of(model, database_id)
    target = qualified(schema, table)
    tests: list[DataTest] = []

    def add(name: str, where: str) -> None:
        tests.append(DataTest(model.name, name, f"select count(*) from {target} where {where}"))

    def add_unique(name: str, columns: list[str]) -> None:
        cols = ", ".join(quoted(c) for c in columns)
        not_null = " and ".join(f"{quoted(c)} is not null" for c in columns)
        sql = (
            f"select coalesce(sum(n), 0) from (select count(*) as n from {target} where {not_null} "
            f"group by {cols} having count(*) > 1)"
        )
        tests.append(DataTest(model.name, name, sql))

    for column in model.spec.get("columns") or []:
        col = quoted(column["name"])
        for test in column.get("data_tests") or []:
            kind, args = (test, {}) if isinstance(test, str) else next(iter(test.items()))
            if kind == "not_null":
                add(f"not_null({column['name']})", f"{col} is null")
            elif kind == "unique":
                add_unique(f"unique({column['name']})", [column["name"]])
            elif kind == "accepted_values":
                values = ", ".join(exp.Literal.string(str(v)).sql(dialect=DIALECT) for v in args["values"])
                add(f"accepted_values({column['name']})", f"{col} is not null and {col} not in ({values})")
            else:
                raise ModelError(f"{model.path}: unknown data test {kind!r} on column {column['name']}")
    for test in model.spec.get("data_tests") or []:
        kind, args = (test, {}) if isinstance(test, str) else next(iter(test.items()))
        if kind == "unique_combination_of_columns":
            columns = args["combination_of_columns"]
            add_unique(f"unique_combination({', '.join(columns)})", columns)
        else:
            raise ModelError(f"{model.path}: unknown model-level data test {kind!r}")
    return tests


def run_data_tests(
    con: duckdb.DuckDBPyConnection, models: Iterable[Model], database_id: str | None = None
) -> dict[str, int]:
    """`{"<model>: <test>": failing rows}` for the given (already built) models."""
    return {
        f"{t.model}: {t.name}": int(con.execute(t.sql).fetchone()[0])
        for model in models
        for t in data_tests(model, database_id)
    }
