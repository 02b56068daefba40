"""Expectations r57 does not compile run through Great Expectations itself, on the run's own DuckDB connection
(or, with the Spark engine, on GX's Spark execution engine over the same table as a DataFrame).

GX's SQL datasource gets a SQLAlchemy engine whose every connection is a cursor of the caller's DuckDB
connection (``creator``), so GX reads the same database the one-pass query read, inside the same run, with
no second open of the file (DuckDB refuses one with another configuration). The adapter
(``gx_duckdb.install``, beside this module) makes GX work on DuckDB at all.

Custom expectations: any Python module in ``<expectations dir>/plugins/`` is imported before GX runs, so a
``class ExpectColumnValuesToBeFoo(ColumnMapExpectation)`` defined there registers itself with GX
(docs/validation.md, "Writing your own checks"). GX is imported here only when an expectation needs it.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from r57_pipelines.masking import mask_engine_message
from r57_pipelines.validation.engines import is_spark
from r57_pipelines.validation.outcome import ExpectationOutcome, not_evaluated, outcome_from_gx

RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 20}

_loaded: set[Path] = set()
_lock = threading.Lock()
_names = itertools.count()


def load_plugins(directory: Path | None) -> list[str]:
    """Import every ``*.py`` of ``directory`` once per process (a GX custom expectation registers on import)."""
    if directory is None or not Path(directory).is_dir():
        return []
    loaded = []
    with _lock:
        for path in sorted(Path(directory).glob("*.py")):
            path = path.resolve()
            if path in _loaded:
                continue
            name = f"r57_gx_plugin_{path.stem}"
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
            _loaded.add(path)
            loaded.append(name)
    return loaded


def run_with_gx(
    con: Any,
    schema: str,
    table: str,
    expectations: Sequence[Mapping[str, Any]],
    database_id: str,
    plugins: Path | None = None,
) -> list[ExpectationOutcome]:
    """Validate ``schema.table`` with GX for these (resolved) expectations; one outcome each, engine ``gx``."""
    from r57_pipelines.validation.gx.gx_duckdb import gx_context

    load_plugins(plugins)
    context = gx_context()
    from duckdb_engine import ConnectionWrapper
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    outcomes: dict[int, ExpectationOutcome] = {}
    runnable: list[tuple[int, Mapping[str, Any]]] = []
    for index, e in enumerate(expectations):
        try:  # GX's ExpectationSuite silently drops an expectation it cannot build: build each one first
            ExpectationConfiguration(type=e["type"], kwargs=dict(e["kwargs"]), meta=dict(e["meta"])).to_domain_obj()
        except Exception as error:  # noqa: BLE001 - unknown type, pydantic errors, parser errors
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            reason = f"GX cannot build it: {mask_engine_message(first)}"
            outcomes[index] = not_evaluated(database_id, schema, table, e, reason, engine="gx")
            continue
        runnable.append((index, e))
    if runnable:
        name = f"r57_connection_{next(_names)}"
        suite = ExpectationSuite(name=f"{schema}.{table}.gx", expectations=[dict(e) for _, e in runnable])
        if is_spark(con):
            result = _validate_on_spark(context, name, con, schema, table, suite)
        else:
            datasource = context.data_sources.add_sql(
                name=name, connection_string="duckdb:///:memory:",
                kwargs={"creator": lambda: ConnectionWrapper(con.cursor())},
            )
            try:
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)  # schema_name: see gx_duckdb.run_gx
                    asset = datasource.add_table_asset(name=f"{schema}.{table}", table_name=table, schema_name=schema)
                batch = asset.add_batch_definition_whole_table("whole_table").get_batch()
                result = batch.validate(suite, result_format=RESULT_FORMAT)
            finally:
                datasource.get_execution_engine().engine.dispose()
                context.data_sources.delete(name)
        by_check = {r.expectation_config.meta["check_id"]: r.to_json_dict() for r in result.results}
        for index, e in runnable:
            outcomes[index] = outcome_from_gx(schema, table, e, by_check[e["meta"]["check_id"]], database=database_id)
    return [outcomes[i] for i in range(len(expectations))]


def _validate_on_spark(context: Any, name: str, con: Any, schema: str, table: str, suite: Any) -> Any:
    """GX's Spark execution engine on the table as a DataFrame (without r57's load order column)."""
    from r57_pipelines.validation.sqlbuild import LOAD_ORDER_COLUMN

    datasource = context.data_sources.add_spark(name=name)
    try:
        frame = con.session.table(f"`{schema}`.`{table}`").drop(LOAD_ORDER_COLUMN)
        asset = datasource.add_dataframe_asset(name=f"{schema}.{table}")
        batch = asset.add_batch_definition_whole_dataframe("whole_table").get_batch(batch_parameters={"dataframe": frame})
        return batch.validate(suite, result_format=RESULT_FORMAT)
    finally:
        context.data_sources.delete(name)
