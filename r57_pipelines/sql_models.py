"""The SQL models in `dbt_like_sql/models/`: discover them, read what each reads, check them statically.

dbt builds them (dbt_project.py generates its project from these files; defs/sql_models.py runs it). This
module is the one reader of the SQL as written. A model is one SELECT in a `.sql` file; it names the
relations it reads with placeholder schemas:

    raw.<table>     a database's delivered table (source)      -> raw_<database_id>.<table>
    stg.<table>     a staging model's target                   -> stg_<database_id>.<table>
    r57.<table>     r57's own tables (source, see warehouse/schema.sql)
    marts.<table>   a mart model's target

Where a model sits decides its layer (see LAYERS): staging models are built once per database as views in
`stg_<database_id>`, marts once for the estate as tables in `marts`. The model's YAML may override the
materialisation (`config: {materialized: view|table}`). What a model reads is found on sqlglot's AST
(exp.Table nodes), which also orders the models (graphlib) and rejects a cycle or an unknown reference.

Expressions the models share are DuckDB scalar macros in `macros/*.sql` (`create or replace macro
clean_text(x) as ...`), created in the warehouse's `main` schema before every dbt build. `main`, not a
schema of their own: the views live in `stg_<db>` and DuckDB binds a view when it is read, from whatever
connection reads it, resolving an unqualified function through the search path, which holds `main` by
default but not a `macros` schema unless every reader sets `search_path`; and a qualified call
`macros.clean_text(x)` would read to sqlglot as a column of a table `macros`. To sqlglot a macro call is an
anonymous function, so the static checks inline each call with the macro's body first (as DuckDB does when
it binds the call): a misspelt column inside a call still fails qualification, and the types sqlglot infers
are those of the body. Problems with the models themselves (bad SQL, missing YAML, unknown reference,
cycle) raise ModelError.
"""

from __future__ import annotations

import graphlib
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import sqlglot
import sqlglot.expressions as exp
import yaml
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema
from sqlglot.tokens import TokenType

from r57_pipelines.paths import SQL_MODELS_DIR
from r57_pipelines.registry import Contract
from r57_pipelines.warehouse import qualified, quoted

DIALECT = "duckdb"
MATERIALIZATIONS = ("view", "table")
# Placeholder schemas read but never built here.
SOURCE_SCHEMAS = frozenset({"raw", "r57"})
# Where the macros are created: on the default search path, so views in any schema, read from any
# connection, find them (see the module docstring).
MACRO_SCHEMA = "main"
# Macros may call macros; deeper than this is taken for a cycle.
MACRO_DEPTH = 16


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


@dataclass(frozen=True)
class Macro:
    """A DuckDB scalar macro from `macros/*.sql`, as `create or replace macro <name>(<params>) as <body>`."""

    name: str  # lower case; called unqualified from the models
    params: tuple[str, ...]
    body: exp.Expression  # parsed by sqlglot, to inline calls for the static checks
    body_sql: str  # as written: what DuckDB runs
    path: Path

    @property
    def ddl(self) -> str:
        """The statement that (re)creates the macro in MACRO_SCHEMA."""
        params = ", ".join(quoted(p) for p in self.params)
        return f"create or replace macro {qualified(MACRO_SCHEMA, self.name)}({params}) as {self.body_sql}"


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
    inlined: exp.Query | None = None  # `query` with macro calls replaced by their bodies (static checks)

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
    macros: dict[str, Macro] = field(default_factory=dict)  # by name

    def layer(self, schema: str) -> list[Model]:
        return [m for m in self.models.values() if m.layer.schema == schema]


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


def _statements(path: Path, text: str) -> list[tuple[str, list]]:
    """(statement text as written, its tokens) for each `;`-separated statement; comments outside are dropped."""
    try:
        tokens = sqlglot.tokenize(text, read=DIALECT)
    except SqlglotError as exc:
        raise ModelError(f"{path}: sqlglot cannot read it: {exc}") from exc
    statements, current = [], []
    for token in [*tokens, None]:
        if token is None or token.token_type == TokenType.SEMICOLON:
            if current:
                statements.append((text[current[0].start : current[-1].end + 1], current))
            current = []
        else:
            current.append(token)
    return statements


def _anonymous_to_sqlglot(name: str) -> bool:
    """Whether sqlglot parses a call of `name` as an anonymous function (so calls can be found and inlined)."""
    try:
        return isinstance(sqlglot.parse_one(f"{name}(x)", read=DIALECT), exp.Anonymous)
    except SqlglotError:
        return False  # a function sqlglot knows, with another arity


def _parse_macro(path: Path, sql: str, tokens: list) -> Macro:
    try:
        statement = sqlglot.parse_one(sql, read=DIALECT)
    except SqlglotError as exc:
        raise ModelError(f"{path}: sqlglot cannot parse {sql[:60]!r}...: {exc}") from exc
    function = statement.this if isinstance(statement, exp.Create) else None
    if (
        not isinstance(function, exp.UserDefinedFunction)
        or statement.args.get("kind") != "MACRO"
        or not statement.args.get("replace")
        or statement.find(exp.TemporaryProperty)
    ):
        raise ModelError(
            f"{path}: {sql[:60]!r}...: a macro file holds only `create or replace macro <name>(...) as ...`"
        )
    name = function.this
    if not isinstance(name, exp.Table) or name.db or name.catalog:
        where = function.sql(dialect=DIALECT)
        raise ModelError(f"{path}: macro {where}: no schema in the name; the runner puts macros in {MACRO_SCHEMA}")
    macro_name = name.name.lower()
    if not _anonymous_to_sqlglot(macro_name):
        raise ModelError(f"{path}: macro {macro_name}: sqlglot knows that name as a built-in function; choose another")
    if not all(isinstance(p, exp.Identifier) for p in function.expressions):
        raise ModelError(f"{path}: macro {macro_name}: parameters are plain names (no types or defaults)")
    params = tuple(p.name.lower() for p in function.expressions)
    body = statement.expression
    if not isinstance(body, exp.Expression) or isinstance(body, exp.Query) or body.find(exp.Query, exp.Table):
        raise ModelError(f"{path}: macro {macro_name}: scalar macros only, reading no relation")
    lambda_params = {p.name.lower() for f in body.find_all(exp.Lambda) for p in f.expressions}
    for column in body.find_all(exp.Column):
        if column.table or column.name.lower() not in {*params, *lambda_params}:
            # DuckDB would bind it to a column of whatever query calls the macro
            raise ModelError(
                f"{path}: macro {macro_name} uses {column.sql(dialect=DIALECT)}, which is not one of its parameters"
            )
    as_token = next(t for t in tokens if t.token_type == TokenType.ALIAS)
    body_sql = sql[as_token.end + 1 - tokens[0].start :].strip()
    return Macro(macro_name, params, body, body_sql, path)


def load_macros(macros_dir: Path | str) -> dict[str, Macro]:
    """Every macro in `macros_dir/*.sql` (none if there is no such folder); ModelError on any problem."""
    root = Path(macros_dir)
    macros: dict[str, Macro] = {}
    for path in sorted(root.glob("*.sql")) if root.is_dir() else []:
        for sql, tokens in _statements(path, path.read_text(encoding="utf-8")):
            macro = _parse_macro(path, sql, tokens)
            if macro.name in macros:
                raise ModelError(f"{path}: macro {macro.name!r} is also defined in {macros[macro.name].path}")
            macros[macro.name] = macro
    return macros


def _grouped(node: exp.Expression) -> exp.Expression:
    """`node`, in parentheses unless it is one term, so the inlined query also reads right as SQL."""
    atoms = (exp.Column, exp.Literal, exp.Func, exp.Paren, exp.Null, exp.Boolean)
    return node if isinstance(node, atoms) else exp.paren(node, copy=False)


def inline_macros(query: exp.Expression, macros: Mapping[str, Macro], path: Path | str = "") -> exp.Expression:
    """A copy of `query` with each macro call replaced by the macro's body, arguments substituted.

    DuckDB does the same when it binds a call; sqlglot sees only an anonymous function, so the static checks
    run on this form. ModelError if a call has the wrong number of arguments or macros nest too deeply.
    """
    query = query.copy()
    for _ in range(MACRO_DEPTH):
        calls = [f for f in query.find_all(exp.Anonymous) if isinstance(f.this, str) and f.this.lower() in macros]
        if not calls:
            return query
        for call in calls:
            macro = macros[call.this.lower()]
            if len(call.expressions) != len(macro.params):
                raise ModelError(
                    f"{path}: {call.sql(dialect=DIALECT)}: macro {macro.name} takes "
                    f"{len(macro.params)} argument(s) ({', '.join(macro.params)})"
                )
            arguments = dict(zip(macro.params, call.expressions))

            def substitute(node: exp.Expression) -> exp.Expression:
                if isinstance(node, exp.Column) and not node.table and node.name.lower() in arguments:
                    return _grouped(arguments[node.name.lower()].copy())
                return node

            inlined = _grouped(macro.body.copy().transform(substitute, copy=False))
            if call is query:
                query = inlined
            else:
                call.replace(inlined)
    raise ModelError(f"{path}: macros call each other more than {MACRO_DEPTH} deep (a cycle?)")


def load_project(models_dir: Path | str = SQL_MODELS_DIR / "models", macros_dir: Path | str | None = None) -> Project:
    """Discover, parse and order every model under `models_dir`; ModelError on any problem.

    Macros come from `macros_dir`, by default the `macros` folder beside `models_dir` (optional).
    """
    root = Path(models_dir)
    if not root.is_dir():
        raise ModelError(f"{root}: no models directory")
    macros = load_macros(root.parent / "macros" if macros_dir is None else macros_dir)
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
            inlined=inline_macros(query, macros, path),
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
    return Project(models={name: models[name] for name in order}, directory=root, macros=macros)


@cache
def _default_project() -> Project:
    return load_project()


def staging_models_for(contract: Contract, project: Project | None = None) -> list[Model]:
    """Staging models, in run order, whose raw tables are all in the contract (and whose inputs are too)."""
    project = project or _default_project()
    tables = {t.name for t in contract.tables}
    chosen: dict[str, Model] = {}
    for model in project.layer("stg"):
        if model.raw_tables <= tables and model.depends_on <= chosen.keys():
            chosen[model.name] = model
    return list(chosen.values())


@cache
def staging_sha256(directory: Path = SQL_MODELS_DIR) -> str:
    """The staging models and macros as written (an edit to any of them changes it)."""
    digest = hashlib.sha256()
    for folder in (directory / "models" / "staging", directory / "macros"):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(f"{path.relative_to(directory)}\0".encode() + path.read_bytes() + b"\0")
    return digest.hexdigest()


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
    query: exp.Query  # macros inlined, then fully qualified by sqlglot (every column bound to a relation)
    columns: dict[str, str]  # output column -> type inferred by sqlglot ("UNKNOWN" where it cannot tell)


def qualify_models(
    models: Iterable[Model], sources: Mapping[str, Mapping[str, Mapping[str, str]]]
) -> dict[str, QualifiedModel]:
    """Qualify each model (in run order) against the sources plus the outputs of the models before it.

    Raises sqlglot's OptimizeError if a model reads a column or table that does not exist: a typo fails here,
    inside a macro call too (calls are inlined first, see `inline_macros`).
    """
    schema = {s: {t: dict(cols) for t, cols in tables.items()} for s, tables in sources.items()}
    result: dict[str, QualifiedModel] = {}
    for model in models:
        mapping = MappingSchema(schema, dialect=DIALECT)
        inlined = model.inlined if model.inlined is not None else model.query
        query = qualify(inlined.copy(), schema=mapping, dialect=DIALECT, validate_qualify_columns=True)
        typed = annotate_types(query.copy(), schema=mapping, dialect=DIALECT)
        columns = {select.alias_or_name: select.type.sql(dialect=DIALECT) for select in typed.selects}
        schema.setdefault(model.layer.schema, {})[model.target_table] = columns
        result[model.name] = QualifiedModel(query, columns)
    return result
