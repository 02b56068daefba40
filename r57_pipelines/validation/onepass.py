"""The fast path: a table's GX suite compiled to SQL, every count from one pass over the table.

``validate_table`` turns each expectation of a suite (the same JSON that GX runs) into aggregate expressions
(``count_if``, ``count(DISTINCT ...)``, ``min``, ``quantile_disc``, ``list(DISTINCT ...)``) and evaluates all
of them in **one SELECT** over the table. The few things one aggregate cannot say take a query of their own,
only where needed: master-data rules (one LEFT JOIN query per table against the master keys, pre-aggregated
so the join never multiplies rows); GX's uniqueness (every row of a duplicate group) once the shared pass
has shown that duplicates exist; the other table of ``row_count_to_equal_other_table``; an engineer's
``unexpected_rows_expectation``; and the first failing values of a failing check (GX's
``partial_unexpected_list``).

Which type is compiled how is ``registry.FAMILY``; a type outside it runs through GX itself on the same
connection (``gx_fallback``). Row predicates are ``conditions``; aggregate and table verdicts ``verdicts``.
All SQL is built as sqlglot expressions: identifiers from deliveries and suites are quoted by sqlglot, never
formatted into strings. Column names resolve case-insensitively, as DuckDB's do.

A missing contract column fails its *sufficient* expectations with every row unexpected (never an
exception) and leaves its other expectations not evaluated; a table that was not delivered fails
``columns_present`` and leaves its other expectations not evaluated (``success=None``, counts 0); so
does a missing master table for the master-data rules. An expectation r57 cannot compile as written (bad
kwargs, a row_condition GX would reject) is not evaluated, with the reason.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

from r57_pipelines.masking import mask_engine_message
from r57_pipelines.registry import Database
from r57_pipelines.validation.engines import is_spark, spark_connection
from r57_pipelines.validation.functions import register_used
from r57_pipelines.validation.reference import ensure_reference_tables, lookup_joins
from r57_pipelines.validation import verdicts
from r57_pipelines.validation.conditions import (
    MULTICOLUMN_IGNORE_DEFAULT,
    NULLS_JUDGED,
    expectation_columns,
    expected_condition,
    ignore_filter,
    judged,
    unique_key,
)
from r57_pipelines.validation.failing_rows import failing_rows_sql  # noqa: F401  (re-exported)
from r57_pipelines.validation.outcome import ExpectationOutcome, make_outcome, mostly_success, not_evaluated
from r57_pipelines.validation.params import MissingParameterError, parameters_for_table, resolve_kwargs
from r57_pipelines.validation.registry import COMPILED_TYPES, FAMILY, ROW_LEVEL_TYPES
from r57_pipelines.validation.row_condition import RowConditionError, row_condition
from r57_pipelines.validation.shared_work import share_row_work
from r57_pipelines.validation.sqlbuild import (
    BASE,
    DIALECT,
    and_,
    column,
    count_if,
    dialect,
    dialect_as,
    distinct_list,
    fn,
    list_contains,
    lit,
    load_order,
    normalise,  # noqa: F401  (re-exported: tests and benchmarks build rules from these)
    normalise_key,
    not_,
    not_null,
    parsed,  # noqa: F401
    table_ref,
    typed_column,
)


MASTER_TYPES = frozenset(t for t, f in FAMILY.items() if f == "master")
SUPPORTED_TYPES = COMPILED_TYPES
PARTIAL_UNEXPECTED_COUNT = 20  # GX's default partial_unexpected_count
COMPLETE_LIMIT = 1000  # result_format COMPLETE: values kept in memory at most

# Errors an expectation's kwargs can raise while compiling: the expectation is not evaluated, with the reason.
_BAD_EXPECTATION = (KeyError, ValueError, TypeError, IndexError, RowConditionError, sqlglot.errors.SqlglotError)


# ---------------------------------------------------------------------------------------------------
# The table being validated
# ---------------------------------------------------------------------------------------------------


@dataclass
class _Plan:
    """Aggregates of one SELECT, deduplicated by their SQL text; window columns it reads from."""

    aggregates: dict[str, exp.Expression] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    windows: dict[str, exp.Expression] = field(default_factory=dict)

    def add(self, expression: exp.Expression) -> str:
        key = expression.sql(dialect())
        if key not in self.names:
            alias = f"a{len(self.names)}"
            self.names[key] = alias
            self.aggregates[alias] = expression
        return self.names[key]

    def window(self, expression: exp.Expression) -> exp.Column:
        """A per-row window value (lag ...) as a column of the scanned relation."""
        key = expression.sql(dialect())
        for alias, known in self.windows.items():
            if known.sql(dialect()) == key:
                return column(alias)
        alias = f"_r57_w{len(self.windows)}"
        self.windows[alias] = expression
        return column(alias)

    def select(self, source: exp.Expression, columns: Collection[str], joins: Sequence[exp.Join] = ()) -> exp.Select:
        """The one SELECT of every aggregate over `source` (whose own columns are `columns`)."""
        aggregates, layers = share_row_work(self.aggregates, columns)  # normalise once per row (shared_work.py)
        if self.windows:
            layers = [{**self.windows, **(layers[0] if layers else {})}, *layers[1:]]
        for per_row in layers:  # each layer reads the columns of the one below it
            source = exp.select(exp.Star(), *[w.as_(a) for a, w in per_row.items()]).from_(source.copy()).subquery(BASE)
        query = exp.select(*[e.as_(alias) for alias, e in aggregates.items()]).from_(source)
        for join in [*joins, *lookup_joins(*aggregates.values())]:  # reference lists (the communes)
            query = query.join(join)
        return query


@dataclass
class _Table:
    con: Any
    database_id: str
    schema: str
    table: str
    types: dict[str, str]  # actual column name -> DuckDB type, in order
    plan: _Plan = field(default_factory=_Plan)

    def __post_init__(self) -> None:
        self._by_folded = {name.casefold(): name for name in self.types}
        self.rows = self.plan.add(exp.Count(this=exp.Star()))

    def resolve(self, name: str) -> str | None:
        """The table's own spelling of a column name (DuckDB's names are case-insensitive)."""
        return name if name in self.types else self._by_folded.get(str(name).casefold())

    def col(self, name: str) -> exp.Column:
        actual = self.resolve(name) or name
        return typed_column(actual, self.types.get(actual))

    def outcome(self, e: Mapping[str, Any], element: int, unexpected: int, success: bool | None, observed: Any = None,
                considered: int | None = None) -> ExpectationOutcome:
        return make_outcome(self.database_id, self.schema, self.table, e, element, unexpected, success, observed,
                            considered_count=considered)

    def scalar(self, query: exp.Expression) -> Any:
        return _first_row(self.con, query.sql(dialect()))[0]


Reader = Callable[[dict[str, Any]], ExpectationOutcome]


def _first_row(con: Any, sql: str, parameters: list | None = None) -> tuple:
    """The one row of an aggregate query, read to the end: a half-read result keeps the connection busy."""
    rows = con.execute(sql, parameters).fetchall() if parameters is not None else con.execute(sql).fetchall()
    return rows[0]


def _count(value: Any) -> int:
    """An aggregate as a count: over no rows `sum(...)` is NULL, and that is 0 rows."""
    return 0 if value is None else int(value)


def _share(unexpected: int, considered: int) -> float | None:
    return round(unexpected / considered, 6) if considered else None


def _domain(t: _Table, kwargs: Mapping[str, Any]) -> exp.Expression | None:
    return row_condition(kwargs, t.col)


def _ordered_condition(t: _Table, kind: str, kwargs: Mapping[str, Any], c: exp.Expression,
                       domain: exp.Expression | None) -> exp.Expression:
    """GX (pandas): each non-null value against the previous non-null one in load order (``rowid``)."""
    previous_input = exp.Case().when(and_(domain, not_null(c)) if domain is not None else not_null(c), c)
    order = exp.Order(expressions=[exp.Ordered(this=load_order())]) if _is_base_table(t) else None
    prev = t.plan.window(exp.Window(this=exp.IgnoreNulls(this=exp.Lag(this=previous_input)), order=order))
    strictly = bool(kwargs.get("strictly"))
    if kind == "expect_column_values_to_be_increasing":
        step = (exp.GT if strictly else exp.GTE)(this=c, expression=prev)
    else:
        step = (exp.LT if strictly else exp.LTE)(this=c, expression=prev)
    return exp.Or(this=exp.Is(this=prev, expression=exp.Null()), expression=exp.Paren(this=step))


def _is_base_table(t: _Table) -> bool:
    if is_spark(t.con):
        return t.con.has_load_order(t.schema, t.table)
    sql = "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?"
    return bool(_first_row(t.con, sql, [t.schema, t.table])[0])


# ---------------------------------------------------------------------------------------------------
# One compiler per family: each adds its aggregates to the plan and returns how to read its outcome
# ---------------------------------------------------------------------------------------------------


# GX refuses to compare text or booleans with bounds (column_values_between.INVALID_COLUMN_TYPES).
_NOT_BETWEEN_TYPES = ("VARCHAR", "CHAR", "NVARCHAR", "NCHAR", "TEXT", "STRING", "BOOLEAN", "BOOL", "BIT")


def _check_kwargs(kind: str, kwargs: Mapping[str, Any]) -> None:
    """The kwargs GX's own (pydantic) models refuse when the suite is built: such an expectation is not evaluated."""
    if kwargs.get("mostly") is not None:
        mostly = kwargs["mostly"]
        try:
            within = 0 <= float(mostly) <= 1  # pydantic's float coercion: "0.9" is 0.9
        except (TypeError, ValueError):
            within = False
        if not within:
            raise ValueError(f"mostly must be a number from 0 to 1, got {mostly!r}")
    if kind in ("expect_table_row_count_to_equal", "expect_table_column_count_to_equal"):
        verdicts.gx_int(kwargs.get("value"), "value")
    if kind == "expect_table_row_count_to_be_between":
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        if low is not None and high is not None and low > high:
            raise ValueError(f"min_value ({low}) must be less than or equal to max_value ({high})")


# GX (pandas) hands these a str and raises TypeError for anything else (a date, a number).
_TEXT_ONLY = frozenset({"expect_column_values_to_match_strftime_format", "expect_column_values_to_be_dateutil_parseable"})
# GX's mean is avg(1.0 * col), its sum and stdev SQL's sum and stddev_samp: numbers only (text or dates fail in SQL).
_NUMERIC_ONLY = frozenset(
    {"expect_column_mean_to_be_between", "expect_column_sum_to_be_between", "expect_column_stdev_to_be_between"}
)
_NUMERIC_TYPES = (
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
    "UHUGEINT", "FLOAT", "DOUBLE", "REAL", "DECIMAL", "NUMERIC",
)


def _compile_map(t: _Table, e: dict, kwargs: dict, names: list[str]) -> Reader:
    kind = e["type"]
    cols = [t.col(n) for n in names]
    if kind in _TEXT_ONLY and t.types[t.resolve(names[0])].upper() != "VARCHAR":
        raise TypeError(
            f"values passed to {kind} must be text (as in GX); column {names[0]!r} is {t.types[t.resolve(names[0])]}"
        )
    if kind == "expect_column_values_to_be_between":
        column_type = t.types[t.resolve(names[0])]
        if column_type.upper().startswith(_NOT_BETWEEN_TYPES):
            raise TypeError(
                f"values of a {column_type} column are not compared with bounds (as in GX); validate the typed "
                "staging relation (meta.r57.relation: staging) or use expect_column_parsed_values_to_be_between"
            )
    domain = _domain(t, kwargs)
    if FAMILY[kind] == "ordered":
        expected = _ordered_condition(t, kind, kwargs, cols[0], domain)
    else:
        expected = expected_condition(kind, kwargs, cols)
    register_used(t.con, expected)
    ensure_reference_tables(t.con, expected)
    rows = and_(domain, judged(kind, kwargs, cols)) if domain is not None else judged(kind, kwargs, cols)
    elements = t.plan.add(count_if(domain)) if domain is not None else t.rows
    considered = elements if kind in NULLS_JUDGED else t.plan.add(count_if(rows))
    unexpected = t.plan.add(count_if(and_(rows, not_(expected))))

    def read(values: dict[str, Any]) -> ExpectationOutcome:
        element_count, judged_rows, bad = (_count(values[a]) for a in (elements, considered, unexpected))
        success = mostly_success(judged_rows, bad, float(kwargs.get("mostly", 1.0)))
        return t.outcome(e, element_count, bad, success, _share(bad, judged_rows), considered=judged_rows)

    return read


def _compile_unique(t: _Table, e: dict, kwargs: dict, names: list[str]) -> Reader:
    """Duplicates. GX's uniqueness counts every row of a group of equal values (a second query, only when the
    shared pass shows duplicates); r57's ``have_no_duplicates`` the rows beyond the first (no second query).

    GX's compound key joins on ``=``: a row with a NULL in a key column is never a duplicate, yet it is judged
    (counted in the share) unless ``ignore_row_if`` leaves it out.
    """
    kind = e["type"]
    cols = [t.col(n) for n in names]
    domain = _domain(t, kwargs)
    rows = judged(kind, kwargs, cols)
    grouped = and_(*[not_null(c) for c in cols])  # rows that can be duplicates
    if domain is not None:
        rows, grouped = and_(domain, rows), and_(domain, grouped)
    key = unique_key(cols, kwargs)
    elements = t.plan.add(count_if(domain)) if domain is not None else t.rows
    considered = t.plan.add(count_if(rows))
    candidates = t.plan.add(count_if(grouped))
    distinct = t.plan.add(exp.Count(this=exp.Distinct(expressions=[exp.Case().when(grouped, key)])))

    def read(values: dict[str, Any]) -> ExpectationOutcome:
        element_count, judged_rows = _count(values[elements]), _count(values[considered])
        extra = _count(values[candidates]) - _count(values[distinct])
        if kind == "expect_compound_columns_to_have_no_duplicates":
            unexpected = extra
            observed: Any = {"duplicate_rows": extra, "considered_count": judged_rows}
        else:
            unexpected = _rows_in_duplicate_groups(t, grouped, key) if extra else 0
            observed = _share(unexpected, judged_rows)
        success = mostly_success(judged_rows, unexpected, float(kwargs.get("mostly", 1.0)))
        return t.outcome(e, element_count, unexpected, success, observed, considered=judged_rows)

    return read


def _rows_in_duplicate_groups(t: _Table, judged: exp.Expression, key: exp.Expression) -> int:
    groups = (
        exp.select(exp.Count(this=exp.Star()).as_("n"))
        .from_(table_ref(t.schema, t.table))
        .where(judged)
        .group_by(key)
        .having(exp.GT(this=exp.Count(this=exp.Star()), expression=lit(1)))
    )
    return _count(t.scalar(exp.select(exp.Sum(this=exp.column("n"))).from_(groups.subquery("g"))))


def _compile_aggregate(t: _Table, e: dict, kwargs: dict, names: list[str]) -> Reader:
    column_type = t.types[t.resolve(names[0])]
    if e["type"] in _NUMERIC_ONLY and not column_type.upper().startswith(_NUMERIC_TYPES):
        # In the shared SELECT a type error would stop every check of the table; GX fails this one metric.
        raise TypeError(f"{e['type']} needs a numeric column; {names[0]!r} is {column_type}")
    c = t.col(names[0])
    domain = _domain(t, kwargs)
    aliases = {name: t.plan.add(_filtered(agg, domain)) for name, agg in verdicts.aggregates(e["type"], kwargs, c).items()}
    return lambda values: verdicts.aggregate_outcome(t, e, kwargs, {n: values[a] for n, a in aliases.items()})


def _filtered(aggregate: exp.Expression, domain: exp.Expression | None) -> exp.Expression:
    """The aggregate over the row_condition's rows (one FILTER clause: DuckDB takes no second one)."""
    if domain is None:
        return aggregate
    if isinstance(aggregate, exp.Filter):
        where = and_(domain, aggregate.expression.this)
        return exp.Filter(this=aggregate.this, expression=exp.Where(this=where))
    return exp.Filter(this=aggregate, expression=exp.Where(this=domain))


def _compile_table(t: _Table, e: dict, kwargs: dict, names: list[str]) -> Reader:
    domain = _domain(t, kwargs)  # row counts honour a row_condition (the other table's count does not)
    rows = t.plan.add(count_if(domain)) if domain is not None else t.rows
    if e["type"] == "expect_table_row_count_to_equal_other_table":
        other = _other_table(t, kwargs["other_table_name"])
        other_rows = t.scalar(exp.select(exp.Count(this=exp.Star())).from_(other)) if other is not None else None
        return lambda values: verdicts.table_outcome(t, e, kwargs, _count(values[rows]), other_rows)
    return lambda values: verdicts.table_outcome(t, e, kwargs, _count(values[rows]))


def _other_table(t: _Table, name: str) -> exp.Table | None:
    schema, _, table = name.rpartition(".")
    schema = schema or t.schema
    if table_column_types(t.con, schema, table) is None:
        return None
    return table_ref(schema, table, alias=None)


def _compile_unexpected_rows(t: _Table, e: dict, kwargs: dict, names: list[str]) -> Reader:
    query = unexpected_rows_query(t.schema, t.table, kwargs["unexpected_rows_query"])
    found = _count(t.scalar(exp.select(exp.Count(this=exp.Star())).from_(query.subquery("u"))))

    def read(values: dict[str, Any]) -> ExpectationOutcome:
        rows = _count(values[t.rows])
        return t.outcome(e, rows, min(found, rows), found == 0, found)

    return read


def unexpected_rows_query(schema: str, table: str, sql: str) -> exp.Query:
    """An engineer's ``unexpected_rows_query`` with ``{batch}`` bound to the table (by sqlglot, not by text).

    Only a query is accepted (a SELECT, a UNION ...): any statement that would write is refused.
    """
    placeholder = "r57_batch_placeholder"
    parsed_sql = sqlglot.parse(sql.replace("{batch}", placeholder), read=DIALECT)
    if len(parsed_sql) != 1 or not isinstance(parsed_sql[0], exp.Query):
        raise ValueError("unexpected_rows_query must be one SELECT statement")
    query = parsed_sql[0]
    for node in list(query.find_all(exp.Table)):
        if node.name == placeholder and not node.db:
            alias = node.args.get("alias")
            node.replace(exp.Table(this=exp.to_identifier(table, quoted=True), db=exp.to_identifier(schema, quoted=True), alias=alias))
    return query


_COMPILERS: dict[str, Callable[[_Table, dict, dict, list[str]], Reader]] = {
    "column_map": _compile_map,
    "pair_map": _compile_map,
    "multicolumn_map": _compile_map,
    "ordered": _compile_map,
    "unique": _compile_unique,
    "duplicates": _compile_unique,
    "aggregate": _compile_aggregate,
    "table": _compile_table,
    "unexpected_rows": _compile_unexpected_rows,
}


# ---------------------------------------------------------------------------------------------------
# validate_table
# ---------------------------------------------------------------------------------------------------


def table_column_types(con: Any, schema: str, table: str) -> dict[str, str] | None:
    """The table's (or view's) columns and their DuckDB types, in order, or None when it does not exist."""
    if is_spark(con):
        return con.column_types(schema, table)
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
        "ORDER BY ordinal_position",
        [schema, table],
    ).fetchall()
    return {name: data_type for name, data_type in rows} or None


def table_columns(con: Any, schema: str, table: str) -> list[str] | None:
    """The table's columns in order, or None when the table does not exist."""
    types = table_column_types(con, schema, table)
    return list(types) if types is not None else None


def validate_table(
    con: Any,
    schema: str,
    table: str,
    suite: Mapping[str, Any],
    parameters: Mapping[str, Any],
    *,
    database_id: str | None = None,
    unexpected_values: bool = False,
    plugins: Path | None = None,
    dialect: str = DIALECT,
) -> list[ExpectationOutcome]:
    """Validate ``schema.table`` against a suite: one aggregate query, plus the few queries described above.

    ``dialect``: ``duckdb`` (``con`` a DuckDB connection) or ``spark`` (``con`` a SparkSession, or
    ``engines.SparkConnection``): the same compiler writes either engine's SQL (``sqlbuild``).

    Expectations of types r57 does not compile go to GX itself (``gx_fallback``) on the same connection.
    ``unexpected_values``: fill ``partial_unexpected_list`` of failing row-level outcomes (GX's result_format).
    ``plugins``: a folder of GX custom expectation modules for the GX fallback.
    """
    if dialect == "spark":
        con = spark_connection(con)
    with dialect_as(dialect):
        return _validate_table(con, schema, table, suite, parameters, database_id, unexpected_values, plugins)


def _validate_table(
    con: Any,
    schema: str,
    table: str,
    suite: Mapping[str, Any],
    parameters: Mapping[str, Any],
    database_id: str | None,
    unexpected_values: bool,
    plugins: Path | None,
) -> list[ExpectationOutcome]:
    from r57_pipelines.validation.authored import with_defaults

    database_id = database_id or schema.removeprefix("raw_")
    params = parameters_for_table(parameters, table)
    expectations = [with_defaults(e, table) for e in suite["expectations"]]
    types = table_column_types(con, schema, table)
    if types is None:
        return [_table_missing(database_id, schema, table, e) for e in expectations]
    t = _Table(con, database_id, schema, table, types)
    outcomes: list[ExpectationOutcome | None] = [None] * len(expectations)
    readers: list[tuple[int, Reader]] = []
    master: list[tuple[int, dict[str, Any]]] = []
    by_gx: list[tuple[int, dict[str, Any]]] = []

    for index, e in enumerate(expectations):
        kind = e["type"]
        try:
            kwargs = resolve_kwargs(e["kwargs"], params)
        except MissingParameterError:
            raise  # a run without its parameters is a programming error, not a finding
        resolved = {**e, "kwargs": kwargs}  # outcomes keep the concrete values
        family = FAMILY.get(kind)
        if family is None:
            by_gx.append((index, resolved))
            continue
        names = expectation_columns(resolved)
        missing = [n for n in names if t.resolve(n) is None]
        if kind == "expect_table_columns_to_match_set" or family == "table":
            pass  # judged from the column list itself
        elif missing:
            readers.append((index, _missing_columns_reader(t, resolved, missing)))
            continue
        if family == "master":
            master.append((index, resolved))
            continue
        try:
            _check_kwargs(kind, kwargs)
            readers.append((index, _COMPILERS[family](t, resolved, kwargs, names)))
        except _BAD_EXPECTATION as error:
            outcomes[index] = _cannot(t, resolved, error)

    query = t.plan.select(table_ref(schema, table), t.types)
    if is_spark(con):
        register_used(con, query)  # r57_nfc and the Python functions, once per session
    values = dict(zip(t.plan.aggregates, _first_row(con, query.sql(dialect()))))
    for index, reader in readers:
        try:
            outcomes[index] = reader(values)
        except _BAD_EXPECTATION as error:
            outcomes[index] = _cannot(t, expectations[index], error)
    if master:
        for index, outcome in _master_outcomes(con, database_id, schema, table, master, types).items():
            outcomes[index] = outcome
    if by_gx:
        from r57_pipelines.validation.gx.gx_fallback import run_with_gx

        for (index, _), outcome in zip(by_gx, run_with_gx(con, schema, table, [e for _, e in by_gx], database_id, plugins)):
            outcomes[index] = outcome
    finished = [_named(o) for o in outcomes if o is not None]
    assert len(finished) == len(expectations)
    if unexpected_values:
        finished = [_with_unexpected_values(con, o) for o in finished]
    return finished


def _named(o: ExpectationOutcome) -> ExpectationOutcome:
    """A not-evaluated authored check names its suite file and expectation in the reason (a suite finding)."""
    source = o.expectation.get("meta", {}).get("source")
    if o.success is not None or not source or not isinstance(o.observed_value, dict):
        return o
    reason = o.observed_value.get("not_evaluated", "")
    if reason.startswith(source):
        return o
    return replace(o, observed_value={**o.observed_value, "not_evaluated": f"{source}: {reason}"})


def _cannot(t: _Table, e: Mapping[str, Any], error: Exception) -> ExpectationOutcome:
    """An expectation that cannot be evaluated as written: a finding naming its file and type, never a crash."""
    source = e.get("meta", {}).get("source")
    # A missing kwarg is r57's own message (its name is no data); an engine's message may quote a value.
    problem = f"kwarg {error.args[0]!r} is missing" if isinstance(error, KeyError) else mask_engine_message(str(error))
    reason = f"cannot be evaluated: {problem}"
    return not_evaluated(t.database_id, t.schema, t.table, e, f"{source}: {reason}" if source else f"{e['type']}: {reason}")


def _table_missing(database_id: str, schema: str, table: str, e: Mapping[str, Any]) -> ExpectationOutcome:
    if e["type"] == "expect_table_columns_to_match_set":
        wanted = sorted(e["kwargs"]["column_set"])
        return make_outcome(
            database_id, schema, table, e, len(wanted), len(wanted), False, {"missing": wanted, "table_missing": True}
        )
    return not_evaluated(database_id, schema, table, e, "table not delivered")


def _missing_columns_reader(t: _Table, e: dict, missing: list[str]) -> Reader:
    """A contract column that was not delivered is a sufficiency finding, counted once per dimension.

    Its *sufficient* rules fail with every row unexpected (coverage: every province missing); rules of
    the other dimensions cannot be judged without the column and are not evaluated, so a missing column
    does not also lower correct/clean/live (``columns_present`` already fails for it).
    """

    def read(values: dict[str, Any]) -> ExpectationOutcome:
        rows = _count(values[t.rows])
        if e["meta"]["dimension"] != "sufficient":
            return not_evaluated(t.database_id, t.schema, t.table, e, f"column not delivered: {', '.join(missing)}")
        if e["type"] == "expect_column_distinct_values_to_contain_set":
            wanted = sorted(e["kwargs"]["value_set"])
            return t.outcome(e, len(wanted), len(wanted), False, {"missing": wanted, "missing_columns": missing})
        return t.outcome(e, rows, rows, False, {"missing_columns": missing}, considered=rows)

    return read


# ---------------------------------------------------------------------------------------------------
# Failing rows and GX's partial_unexpected_list
# ---------------------------------------------------------------------------------------------------


def _unexpected_limit(kwargs: Mapping[str, Any]) -> int:
    result_format = kwargs.get("result_format") or "BASIC"
    if isinstance(result_format, Mapping):
        level = result_format.get("result_format", "BASIC")
        count = int(result_format.get("partial_unexpected_count", PARTIAL_UNEXPECTED_COUNT))
    else:
        level, count = result_format, PARTIAL_UNEXPECTED_COUNT
    if level == "BOOLEAN_ONLY":
        return 0
    return COMPLETE_LIMIT if level == "COMPLETE" else count


def _with_unexpected_values(con: Any, o: ExpectationOutcome) -> ExpectationOutcome:
    """GX's partial_unexpected_list: the failing values of the check's own columns (never stored unmasked)."""
    if not (o.success is False and o.engine == "onepass" and o.unexpected_count and o.row_level and o.columns):
        return o
    if isinstance(o.observed_value, dict) and "missing_columns" in o.observed_value:
        return o
    limit = _unexpected_limit(o.expectation.get("kwargs", {}))
    if not limit:
        return o
    available = table_column_types(con, o.schema, o.table) or {}
    failing_sql = o.failing_rows_sql(available)
    ensure_reference_tables(con, failing_sql)
    rows = failing_sql.subquery("f")
    folded = {c.casefold(): c for c in available}
    names = [folded.get(str(n).casefold(), n) for n in o.columns]
    query = exp.select(*[column(n, "f") for n in names]).from_(rows).limit(limit)
    fetched = con.execute(query.sql(dialect())).fetchall()
    values = [r[0] for r in fetched] if len(names) == 1 else [dict(zip(o.columns, r)) for r in fetched]
    return replace(o, partial_unexpected_list=values)


# ---------------------------------------------------------------------------------------------------
# Master data: one LEFT JOIN query per table
# ---------------------------------------------------------------------------------------------------


def _master_outcomes(
    con: Any,
    database_id: str,
    schema: str,
    table: str,
    master: list[tuple[int, dict[str, Any]]],
    types: Mapping[str, str],
) -> dict[int, ExpectationOutcome]:
    """Existence and agreement with master tables: one LEFT JOIN query, one pre-aggregated join per master key."""
    outcomes: dict[int, ExpectationOutcome] = {}
    sources: dict[tuple[str, str, str, str], dict[str, Any]] = {}  # (our column, schema, table, key) -> join info
    plan = _Plan()
    readers = []
    master_columns: dict[tuple[str, str], set[str] | None] = {}
    for index, resolved in master:
        kwargs = resolved["kwargs"]
        other = (kwargs["other_schema"], kwargs["other_table"])
        if other not in master_columns:
            found = table_columns(con, *other)
            master_columns[other] = set(found) if found is not None else None
        other_cols = master_columns[other]
        if resolved["type"] == "expect_column_values_to_exist_in_other_table":
            ours, okey, ovalue = kwargs["column"], kwargs["other_column"], None
        else:
            ours, value_col = kwargs["column_list"]
            okey, ovalue = kwargs["other_key"], kwargs["other_column"]
        needed = {okey} | ({ovalue} if ovalue else set())
        if other_cols is None or not needed <= other_cols:
            reason = f"master table {'.'.join(other)} not delivered" if other_cols is None else (
                f"master table {'.'.join(other)} lacks {sorted(needed - other_cols)}"
            )
            outcomes[index] = not_evaluated(database_id, schema, table, resolved, reason)
            continue
        source = sources.setdefault(
            (ours, *other, okey), {"alias": f"m{len(sources)}", "values": {}, "kwargs": kwargs, "key": okey}
        )
        m = source["alias"]
        key = column(ours, varchar=types.get(ours) == "VARCHAR")
        if ovalue is None:
            judged = not_null(key)
            considered = plan.add(count_if(judged))
            unexpected = plan.add(count_if(and_(judged, exp.Is(this=column("_r57_key", m), expression=exp.Null()))))
        else:
            list_alias = source["values"].setdefault(ovalue, f"v{len(source['values'])}")
            value = column(value_col, varchar=types.get(value_col) == "VARCHAR")
            judged = ignore_filter(kwargs.get("ignore_row_if", MULTICOLUMN_IGNORE_DEFAULT), [key, value])
            known = not_null(column("_r57_key", m))
            agrees = exp.Coalesce(
                this=list_contains(column(list_alias, m), normalise_key(value)), expressions=[exp.false()]
            )
            considered = plan.add(count_if(judged))
            unexpected = plan.add(count_if(and_(judged, known, not_(agrees))))
        readers.append((index, resolved, kwargs, considered, unexpected))
    if not readers:
        return outcomes
    rows_alias = plan.add(exp.Count(this=exp.Star()))
    joins = []
    for (ours, other_schema, other_table, okey), source in sources.items():
        okey_col = column(okey, None)
        projections = [okey_col.as_("_r57_key")]
        for ovalue, alias in source["values"].items():
            ocol = column(ovalue, None)
            projections.append(
                exp.Filter(
                    this=distinct_list(normalise_key(ocol)),
                    expression=exp.Where(this=not_null(ocol)),
                ).as_(alias)
            )
        keyed = (
            exp.select(*projections)
            .from_(table_ref(other_schema, other_table, alias=None))
            .where(not_null(okey_col))
            .group_by(okey_col)
        )
        on = exp.EQ(this=column(ours), expression=column("_r57_key", source["alias"]))
        joins.append(exp.Join(this=_master_lookup(con, keyed, other_schema, source["alias"]), on=on, side="LEFT"))
    query = plan.select(table_ref(schema, table), types, joins)
    if is_spark(con):
        register_used(con, query)
    values = dict(zip(plan.aggregates, _first_row(con, query.sql(dialect()))))
    total = _count(values[rows_alias])
    for index, expectation, kwargs, considered_alias, unexpected_alias in readers:
        considered, unexpected = _count(values[considered_alias]), _count(values[unexpected_alias])
        success = total == 0 or mostly_success(considered, unexpected, float(kwargs.get("mostly", 1.0)))
        outcomes[index] = make_outcome(
            database_id, schema, table, expectation, total, unexpected, success, _share(unexpected, considered),
            considered_count=considered,
        )
    return outcomes


def _master_lookup(con: Any, keyed: exp.Select, master_schema: str, alias: str) -> exp.Expression:
    """The master table keyed for lookups, built once per connection and master delivery.

    Every database that references the population database would otherwise group its ~100M rows again
    (at 50M rows in the estate that was most of the validation time). The temporary table is named by
    the lookup's SQL and the master delivery's sha256, so a reloaded master is never read stale.
    (On Spark the lookup is a subquery for now: a cached view keyed the same way is the next step.)
    """
    if is_spark(con):
        return keyed.subquery(alias)
    recorded = _first_row(
        con, "select count(*) from information_schema.tables where table_schema = ? and table_name = '_r57_delivery'",
        [master_schema],
    )[0]
    if not recorded:  # a warehouse not built by r57's ingest: no delivery hash to key a cache on
        return keyed.subquery(alias)
    rows = con.execute(f"select sha256 from {table_ref(master_schema, '_r57_delivery', alias=None).sql(DIALECT)}").fetchall()
    row = rows[0] if rows else None
    if not row or row[0] is None:
        return keyed.subquery(alias)
    sql = keyed.sql(DIALECT)
    name = "r57_master_" + hashlib.sha256(f"{row[0]}\0{sql}".encode()).hexdigest()[:20]
    con.execute(f"create temp table if not exists {name} as {sql}")
    return exp.table_(name).as_(alias)


def validate_database(
    con: Any,
    database: Database,
    parameters: Mapping[str, Any],
    *,
    suites: Mapping[str, Mapping[str, Any]] | None = None,
    schema: str | None = None,
    plugins: Path | None = None,
    dialect: str = DIALECT,
) -> list[ExpectationOutcome]:
    """Run every suite of a database (contract tables, then the ``_r57_delivery`` live suite).

    ``parameters``: the suite parameters (``suites.PARAMETERS``; ``quality.parameters.suite_parameters``
    builds them from the policy); ``min_rows`` may be one int or ``{table: int}`` (absent tables: 0).
    ``suites`` defaults to ``build_suites(database)``; ``schema`` to ``raw_<database_id>``. A suite whose
    ``meta.r57.relation`` is ``staging`` validates the typed staging view ``stg_<database_id>.<table>``.
    """
    from r57_pipelines.validation.suites import build_suites

    schema = schema or f"raw_{database.id}"
    if dialect == "spark":
        con = spark_connection(con)  # one wrapper: its views and functions are registered once
    suites = suites if suites is not None else build_suites(database)
    outcomes: list[ExpectationOutcome] = []
    for name, suite in suites.items():
        table = suite.get("meta", {}).get("r57", {}).get("table") or name.split(".", 1)[1]
        relation = suite.get("meta", {}).get("r57", {}).get("relation", "delivered")
        where = f"stg_{database.id}" if relation == "staging" else schema
        if relation == "staging" and dialect == "spark":
            outcomes.extend(_staging_not_on_spark(database.id, where, table, suite))
            continue
        outcomes.extend(
            validate_table(
                con, where, table, copy.deepcopy(dict(suite)), parameters, database_id=database.id, plugins=plugins,
                dialect=dialect,
            )
        )
    return outcomes


def _staging_not_on_spark(database_id: str, schema: str, table: str, suite: Mapping[str, Any]) -> list[ExpectationOutcome]:
    """The staging views are dbt's, built in DuckDB; Spark has no copy of them yet (docs/scale-out.md)."""
    from r57_pipelines.validation.authored import with_defaults

    reason = f"validates the staging view {schema}.{table}, which is not on Spark yet: run this database on duckdb"
    return [not_evaluated(database_id, schema, table, with_defaults(e, table), reason) for e in suite["expectations"]]
