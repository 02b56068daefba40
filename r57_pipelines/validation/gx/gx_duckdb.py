"""The one adapter that makes Great Expectations 1.x's SQL datasource work on DuckDB (duckdb-engine).

Why it exists (see /work/shared/engineering/measurements.md and GX issues 10738, 11579):

1. Every GX metric query over duckdb-engine fails with ``IndexError: list index out of range`` in
   ``SqlAlchemyExecutionEngine.resolve_metric_bundle``. GX reads the cursor *after* the connection went
   back to the pool, and duckdb-engine's rollback-on-return clears the pending result. The tempting
   ``execution_options(stream_results=True)`` hides the error but silently returns one row per query.
   The fix here buffers every DuckDB result *inside* execution: a SQLAlchemy ``after_cursor_execute``
   listener fetches all rows into a ``FullyBufferedCursorFetchStrategy`` before the connection is
   released. (GX's queries return one aggregate row, or a bounded list of unexpected values.)
2. GX has no regex (nor LIKE) expression for the ``duckdb`` dialect ("Regex is not supported for dialect duckdb").
   DuckDB engines get a dialect marker (``DUCKDB_DIALECT``) as ``SqlAlchemyExecutionEngine.dialect_module``
   (GX leaves it ``None`` for unknown dialects), and GX's ``get_dialect_regex_expression`` is wrapped to
   answer ``regexp_matches(column, pattern)`` for it: a partial match, like Python's ``re.search``, which
   is GX's regex semantics. The ``~`` operator is avoided: it changed meaning between DuckDB 1.5 and 2.0.
   ``get_dialect_like_pattern_expression`` likewise answers ``column LIKE pattern [ESCAPE e]``.
3. Column reflection: duckdb-engine 0.17 runs SQLAlchemy 2.1's PostgreSQL catalog query, which joins
   ``pg_catalog.pg_collation`` (absent from DuckDB), so ``inspect(engine).get_columns`` fails. GX then falls
   back to ``SELECT * FROM <table> LIMIT 1`` *without the schema*, and every metric on a table outside
   ``main`` (all of r57's ``raw_<database>`` schemas) fails. DuckDB dialects get a ``get_columns`` that reads
   ``information_schema.columns``.

Both patches touch library internals, so they are pinned to (and regression-tested with,
``tests/validation/test_gx_duckdb.py``): great-expectations 1.24.1, SQLAlchemy 2.1.9, duckdb-engine 0.17.0,
duckdb 2.0.0. ``install()`` refuses other versions of GX or SQLAlchemy unless ``R57_GX_ADAPTER_UNPINNED=1``.
Drop this module once GX ships a DuckDB execution engine (GX PR 12084).

GX is imported only inside functions: importing it costs about 5 s and 260 MB, and nothing that the
Dagster Definitions import may pay that at start-up.
"""

from __future__ import annotations

import os
import threading
import types
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from r57_pipelines.validation.outcome import ExpectationOutcome

PINNED = {"great_expectations": "1.24.1", "sqlalchemy": "2.1.9", "duckdb_engine": "0.17.0", "duckdb": "2.0.0"}

# GX modules that imported `get_dialect_regex_expression` by name; each keeps its own reference.
_REGEX_MODULES = (
    "great_expectations.expectations.metrics.util",
    "great_expectations.expectations.metrics.column_map_metrics.column_values_match_regex",
    "great_expectations.expectations.metrics.column_map_metrics.column_values_not_match_regex",
    "great_expectations.expectations.metrics.column_map_metrics.column_values_match_regex_list",
    "great_expectations.expectations.metrics.column_map_metrics.column_values_not_match_regex_list",
    "great_expectations.expectations.metrics.column_aggregate_metrics.column_values_match_regex_values",
    "great_expectations.expectations.metrics.column_aggregate_metrics.column_values_not_match_regex_values",
)

# GX modules that imported `get_dialect_like_pattern_expression` by name.
_LIKE_MODULES = (
    "great_expectations.expectations.metrics.util",
    "great_expectations.expectations.metrics.column_map_metrics.column_values_match_like_pattern",
    "great_expectations.expectations.metrics.column_map_metrics.column_values_not_match_like_pattern",
    "great_expectations.expectations.metrics.column_map_metrics.column_values_match_like_pattern_list",
    "great_expectations.expectations.metrics.column_map_metrics.column_values_not_match_like_pattern_list",
)

_lock = threading.Lock()
_installed = False


class _DuckDBDialectModule(types.ModuleType):
    """Stands in for GX's per-dialect module on DuckDB engines.

    GX passes ``dialect_module`` to metric functions as ``_dialect``. For dialects it does not know it is
    ``None``; this marker lets the regex wrapper (and r57's custom expectations) recognise DuckDB. Attribute
    look-ups fall through to top-level ``sqlalchemy``, which is what GX uses when the module is ``None``
    (type comparison), and there is deliberately no ``dialect`` attribute, so GX's per-dialect branches
    (``dialect.dialect``) keep failing over as they do for ``None``.
    """

    name = "duckdb"

    def __getattr__(self, item: str) -> Any:
        import sqlalchemy

        if item == "dialect" or item.startswith("__"):
            raise AttributeError(item)
        return getattr(sqlalchemy, item)


DUCKDB_DIALECT = _DuckDBDialectModule("r57_gx_duckdb_dialect")


def is_duckdb_dialect(dialect: Any) -> bool:
    """True for the marker set on DuckDB execution engines (or anything naming itself ``duckdb``)."""
    if dialect is DUCKDB_DIALECT:
        return True
    name = getattr(dialect, "name", None)
    return isinstance(name, str) and name.lower() == "duckdb"


def _check_versions() -> None:
    from importlib.metadata import version

    if os.environ.get("R57_GX_ADAPTER_UNPINNED") == "1":
        return
    wrong = {}
    for dist in ("great_expectations", "sqlalchemy", "duckdb_engine"):
        have = version(dist.replace("_", "-"))
        if have != PINNED[dist]:
            wrong[dist] = have
    if wrong:
        raise RuntimeError(
            f"r57 GX/DuckDB adapter is pinned to {PINNED}, found {wrong}: re-run tests/validation/test_gx_duckdb.py "
            "and update PINNED, or set R57_GX_ADAPTER_UNPINNED=1"
        )


def _buffer_duckdb_result(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
    """SQLAlchemy ``after_cursor_execute`` hook: fetch a DuckDB result before the connection is released."""
    from sqlalchemy.engine import cursor as sa_cursor

    if conn.dialect.name != "duckdb" or context is None or cursor.description is None:
        return
    if context.cursor_fetch_strategy is not sa_cursor._DEFAULT_FETCH:
        return
    description = cursor.description
    context.cursor_fetch_strategy = sa_cursor.FullyBufferedCursorFetchStrategy(
        cursor, description, cursor.fetchall()
    )


def _get_columns(self, connection, table_name, schema=None, **kw):  # noqa: ANN001, ANN202
    """``Dialect.get_columns`` for duckdb-engine, from ``information_schema`` (see point 3 above)."""
    import sqlalchemy as sa
    from duckdb_engine.datatypes import ISCHEMA_NAMES
    from sqlalchemy import types as sqltypes

    rows = connection.execute(
        sa.text(
            "SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns "
            "WHERE table_name = :table AND table_schema = coalesce(:schema, current_schema()) "
            "ORDER BY ordinal_position"
        ),
        {"table": str(table_name), "schema": None if schema is None else str(schema)},
    ).fetchall()
    if not rows:
        raise sa.exc.NoSuchTableError(f"{schema}.{table_name}" if schema else str(table_name))
    names = {**self.ischema_names, **ISCHEMA_NAMES}
    columns = []
    for name, data_type, is_nullable, default in rows:
        base = str(data_type).split("(")[0].strip().lower()
        type_class = names.get(base)
        columns.append(
            {
                "name": name,
                "type": type_class() if type_class is not None else sqltypes.NullType(),
                "nullable": is_nullable == "YES",
                "default": default,
                "autoincrement": False,
                "comment": None,
            }
        )
    return columns


_get_columns._r57_duckdb = True  # type: ignore[attr-defined]


def install() -> None:
    """Apply both patches once per process (idempotent, thread-safe). Imports GX."""
    global _installed
    with _lock:
        if _installed:
            return
        _check_versions()
        import importlib

        import sqlalchemy as sa
        from great_expectations.execution_engine import SqlAlchemyExecutionEngine
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        import duckdb_engine

        if not getattr(duckdb_engine.Dialect.get_columns, "_r57_duckdb", False):
            duckdb_engine.Dialect.get_columns = _get_columns  # type: ignore[method-assign]

        if not event.contains(Engine, "after_cursor_execute", _buffer_duckdb_result):
            event.listen(Engine, "after_cursor_execute", _buffer_duckdb_result)

        original_init = SqlAlchemyExecutionEngine.__init__
        if not getattr(original_init, "_r57_duckdb", False):

            def __init__(self, *args: Any, **kwargs: Any) -> None:
                original_init(self, *args, **kwargs)
                engine = getattr(self, "engine", None)
                if engine is not None and engine.dialect.name == "duckdb":
                    self.dialect_module = DUCKDB_DIALECT

            __init__._r57_duckdb = True  # type: ignore[attr-defined]
            SqlAlchemyExecutionEngine.__init__ = __init__  # type: ignore[method-assign]

        util = importlib.import_module(_REGEX_MODULES[0])
        original_regex = util.get_dialect_regex_expression
        if not getattr(original_regex, "_r57_duckdb", False):

            def get_dialect_regex_expression(column, regex, dialect, positive=True):  # noqa: ANN001, ANN202
                if is_duckdb_dialect(dialect):
                    expression = sa.func.regexp_matches(column, sa.literal(regex))
                    return expression if positive else sa.not_(expression)
                return original_regex(column, regex, dialect, positive)

            get_dialect_regex_expression._r57_duckdb = True  # type: ignore[attr-defined]
            for name in _REGEX_MODULES:
                module = importlib.import_module(name)
                module.get_dialect_regex_expression = get_dialect_regex_expression

        original_like = util.get_dialect_like_pattern_expression
        if not getattr(original_like, "_r57_duckdb", False):

            def get_dialect_like_pattern_expression(column, dialect, like_pattern, positive=True, escape=None):  # noqa: ANN001, ANN202
                if is_duckdb_dialect(dialect):  # DuckDB's LIKE: standard, ESCAPE clause supported, no default escape
                    expression = column.like(sa.literal(like_pattern), escape=escape)
                    return expression if positive else sa.not_(expression)
                return original_like(column, dialect, like_pattern, positive, escape)

            get_dialect_like_pattern_expression._r57_duckdb = True  # type: ignore[attr-defined]
            for name in _LIKE_MODULES:
                module = importlib.import_module(name)
                module.get_dialect_like_pattern_expression = get_dialect_like_pattern_expression
        _installed = True


# ----------------------------------------------------------------------------------------------------
# The reference path: validate one table with GX itself.

_context_lock = threading.Lock()
_context: Any = None


def gx_context() -> Any:
    """One ephemeral GX context per process (creating one costs about a second)."""
    global _context
    with _context_lock:
        if _context is None:
            install()
            import great_expectations as gx

            import r57_pipelines.validation.gx.custom_expectations  # noqa: F401  (registers the expectation types)

            from great_expectations.data_context.types.base import ProgressBarsConfig

            _context = gx.get_context(mode="ephemeral")
            # Progress bars would write to stderr from inside Dagster runs and tests.
            _context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        return _context


def _datasource(context: Any, duckdb_path: str | Path) -> Any:
    import re

    path = str(Path(duckdb_path).resolve())
    name = "r57_duckdb_" + re.sub(r"[^A-Za-z0-9_]", "_", path)[-120:]
    if name in context.data_sources.all():
        return context.data_sources.get(name)
    return context.data_sources.add_sql(name=name, connection_string=f"duckdb:///{path}")


def run_gx(
    duckdb_path: str | Path,
    schema: str,
    table: str,
    suite_dict: Mapping[str, Any],
    parameters: Mapping[str, Any] | None = None,
    *,
    result_format: str | dict[str, Any] | None = None,
) -> list[ExpectationOutcome]:
    """Validate ``schema.table`` of a DuckDB file with GX's SQL execution engine and this adapter.

    ``suite_dict`` is a suite as written by ``r57_pipelines.validation.suites``; ``parameters`` fills its
    ``{"$PARAMETER": name}`` placeholders (``min_rows`` may be ``{table: int}``). Returns one outcome per expectation, in suite order, with the
    same counting conventions as the one-pass path (``r57_pipelines.validation.onepass``).
    """
    from great_expectations.core.expectation_suite import ExpectationSuite

    from r57_pipelines.validation.params import parameters_for_table
    from r57_pipelines.validation.outcome import outcome_from_gx

    params = parameters_for_table(parameters or {}, table)
    context = gx_context()
    datasource = _datasource(context, duckdb_path)
    asset_name = f"{schema}.{table}"
    if asset_name in {a.name for a in datasource.assets}:
        asset = datasource.get_asset(asset_name)
    else:
        import warnings

        with warnings.catch_warnings():
            # GX 1.24 deprecates schema_name in favour of one schema per datasource; r57 reads one
            # schema per database from the same file, so a table asset with its schema is still right.
            warnings.simplefilter("ignore", DeprecationWarning)
            asset = datasource.add_table_asset(name=asset_name, table_name=table, schema_name=schema)
    if "whole_table" in {b.name for b in asset.batch_definitions}:
        batch_definition = asset.get_batch_definition("whole_table")
    else:
        batch_definition = asset.add_batch_definition_whole_table("whole_table")
    try:
        batch = batch_definition.get_batch()
        suite = ExpectationSuite(**_copy_suite(suite_dict))
        # BASIC: counts plus a short list of values; 50 lists every missing province of a coverage check.
        result_format = result_format or {"result_format": "BASIC", "partial_unexpected_count": 50}
        result = batch.validate(suite, expectation_parameters=params, result_format=result_format)
    finally:
        # duckdb-engine opens the file with its own configuration (a user agent); DuckDB refuses a second
        # in-process connection with another configuration, so the caller's duckdb.connect() would fail
        # while GX's pool holds one. Close GX's connections after every run.
        datasource.get_engine().dispose()
        datasource.get_execution_engine().engine.dispose()
    by_check = {}
    for expectation_result in result.results:
        as_json = expectation_result.to_json_dict()
        by_check[as_json["expectation_config"]["meta"]["check_id"]] = as_json
    return [
        outcome_from_gx(schema, table, config, by_check[config["meta"]["check_id"]], params)
        for config in suite_dict["expectations"]
    ]


def _copy_suite(suite_dict: Mapping[str, Any]) -> dict[str, Any]:
    import copy

    return copy.deepcopy(dict(suite_dict))
