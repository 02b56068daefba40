"""Python functions registered in DuckDB where SQL has no equivalent of a GX rule's meaning."""

from __future__ import annotations

from typing import Any

DATEUTIL_PARSEABLE = "r57_dateutil_parseable"


def _dateutil_parseable(value: str) -> bool:
    """GX (pandas): ``dateutil.parser.parse(value)`` succeeds."""
    from dateutil.parser import parse

    try:
        parse(value)
    except (ValueError, OverflowError):
        return False
    return True


def register_dateutil(con: Any) -> None:
    """Register ``r57_dateutil_parseable(VARCHAR) -> BOOLEAN`` on this connection (once)."""
    import duckdb

    # fetchall: DuckDB 2 refuses create_function while a result is still open.
    known = con.execute("select count(*) from duckdb_functions() where function_name = ?", [DATEUTIL_PARSEABLE]).fetchall()[0][0]
    if not known:
        con.create_function(DATEUTIL_PARSEABLE, _dateutil_parseable, [duckdb.sqltype("VARCHAR")], duckdb.sqltype("BOOLEAN"))
