"""Python functions registered in DuckDB where SQL has no equivalent of a GX rule's meaning.

GX runs ``_to_match_strftime_format``, ``_to_be_dateutil_parseable`` and ``_to_be_json_parseable`` only on
pandas, with Python's own parsers. DuckDB's nearest functions differ (``json_valid`` accepts ``[1,]``,
``strptime`` skips spaces and reads ``Infinity``), so the compiled query calls these instead: vectorised
(Arrow batches), registered on the connection the first time a suite needs one.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from sqlglot import exp


def _dateutil_parseable(value: str) -> bool:
    """GX (pandas): ``dateutil.parser.parse(value)`` succeeds."""
    from dateutil.parser import parse

    try:
        parse(value)
    except (ValueError, OverflowError):
        return False
    return True


def _json_parseable(value: str) -> bool:
    """GX (pandas): ``json.loads(value)`` succeeds."""
    try:
        json.loads(value)
    except ValueError:
        return False
    return True


def _strptime_ok(value: str, strftime_format: str) -> bool:
    """GX (pandas): ``datetime.strptime(value, strftime_format)`` succeeds."""
    try:
        dt.datetime.strptime(value, strftime_format)
    except (ValueError, TypeError):
        return False
    return True


# name -> (Python function, number of VARCHAR arguments); each returns BOOLEAN.
PYTHON_FUNCTIONS: dict[str, tuple[Callable[..., bool], int]] = {
    "r57_dateutil_parseable": (_dateutil_parseable, 1),
    "r57_json_parseable": (_json_parseable, 1),
    "r57_strptime_ok": (_strptime_ok, 2),
}


def _vectorised(function: Callable[..., bool], arity: int) -> Callable[..., Any]:
    """An Arrow function of ``arity`` arguments (DuckDB counts the parameters: no ``*args``, no hints)."""
    import pyarrow as pa

    def apply(*columns):  # noqa: ANN002, ANN202
        rows = zip(*(c.to_pylist() for c in columns))
        return pa.array([None if None in row else function(*row) for row in rows], type=pa.bool_())

    if arity == 1:
        return lambda a: apply(a)
    return lambda a, b: apply(a, b)


def register_used(con: Any, expression: exp.Expression) -> None:
    """Register every Python function ``expression`` calls, once per connection (Spark: also ``r57_nfc``)."""
    from r57_pipelines.validation.engines import is_spark

    if is_spark(con):
        for call in expression.find_all(exp.Anonymous):
            name = call.name.lower()
            if name == "r57_nfc":
                con.ensure_nfc()
            elif name in PYTHON_FUNCTIONS:
                con.ensure_function(name, *PYTHON_FUNCTIONS[name])
        return
    import duckdb

    for call in expression.find_all(exp.Anonymous):
        name = call.name.lower()
        if name not in PYTHON_FUNCTIONS:
            continue
        # fetchall: DuckDB 2 refuses create_function while a result is still open.
        known = con.execute("select count(*) from duckdb_functions() where function_name = ?", [name]).fetchall()[0][0]
        if not known:
            function, arity = PYTHON_FUNCTIONS[name]
            con.create_function(
                name, _vectorised(function, arity), [duckdb.sqltype("VARCHAR")] * arity, duckdb.sqltype("BOOLEAN"), type="arrow"
            )
