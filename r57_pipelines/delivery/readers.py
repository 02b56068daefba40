"""Turn one delivered file into a DuckDB table of text columns, through DuckDB's own readers.

Every column is loaded as VARCHAR exactly as delivered: a wrong type or a bad date is a finding for the
quality checks, not a reason to drop the row. XLSX has no DuckDB reader without the `excel` extension
(not installable offline), so it streams through openpyxl in batches; nothing else goes through Python.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import sqlglot.expressions as exp

from r57_pipelines.delivery.errors import DeliveryError
from r57_pipelines.masking import mask_text

# The file path is always a bound parameter; the target is a sqlglot-quoted identifier.
_SELECT_BY_FORMAT = {
    "csv": "select * from read_csv(?, header = true, all_varchar = true, auto_detect = true)",
    "parquet": "select columns(*)::varchar from read_parquet(?)",
}
_JSONL_NAMES = "describe select * from read_json(?, format = 'newline_delimited')"
XLSX_BATCH_ROWS = 50_000


def load_file(con: duckdb.DuckDBPyConnection, path: Path, file_format: str, target: str) -> int:
    """Create `target` from the file and return its row count; DeliveryError names the file on failure."""
    try:
        if file_format == "xlsx":
            _load_xlsx(con, path, target)
        elif file_format == "jsonl":
            _load_jsonl(con, path, target)
        else:
            con.execute(f"create table {target} as {_SELECT_BY_FORMAT[file_format]}", [str(path)])
        (rows,) = con.execute(f"select count(*) from {target}").fetchone()
    except duckdb.Error as exc:
        raise DeliveryError(path, f"cannot be read as {file_format}: {_first_line(exc)}") from exc
    return int(rows)


def _first_line(exc: Exception) -> str:
    """The reader's message, first line only and with long digit runs hidden: DuckDB quotes the
    offending line on later lines, and a quoted value may be a personal number."""
    text = str(exc).strip()
    return mask_text(text.splitlines()[0]) if text else type(exc).__name__


def _load_jsonl(con: duckdb.DuckDBPyConnection, path: Path, target: str) -> None:
    """Read every key as VARCHAR: left to detect types, read_json rewrites "…T14:23:05+07:00" in UTC."""
    names = [row[0] for row in con.execute(_JSONL_NAMES, [str(path)]).fetchall()]
    columns = exp.Struct(
        expressions=[exp.PropertyEQ(this=exp.Literal.string(n), expression=exp.Literal.string("VARCHAR")) for n in names]
    )
    con.execute(
        f"create table {target} as select * from read_json(?, format = 'newline_delimited', "
        f"columns = {columns.sql(dialect='duckdb')})",
        [str(path)],
    )


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _load_xlsx(con: duckdb.DuckDBPyConnection, path: Path, target: str) -> None:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise DeliveryError(path, f"cannot be read as xlsx: {_first_line(exc) or 'not an Excel workbook'}") from exc
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if not header or any(h is None or str(h).strip() == "" for h in header):
            raise DeliveryError(path, "first sheet needs a header row with a name in every column")
        names = [str(h).strip() for h in header]
        if len(set(names)) != len(names):
            raise DeliveryError(path, f"header repeats a column name: {names}")
        schema = pa.schema([(n, pa.string()) for n in names])
        batch: list[tuple] = []
        created = False

        def flush() -> None:
            nonlocal created, batch
            columns = list(zip(*batch)) if batch else [[] for _ in names]
            # DuckDB reads the local Arrow table `xlsx_batch` by name (a replacement scan).
            xlsx_batch = pa.table(  # noqa: F841
                [pa.array([_cell_text(v) for v in col], pa.string()) for col in columns], schema=schema
            )
            verb = f"insert into {target}" if created else f"create table {target} as"
            con.execute(f"{verb} select * from xlsx_batch")
            created, batch = True, []

        for row in rows:
            if len(row) > len(names) and any(v is not None for v in row[len(names):]):
                raise DeliveryError(path, f"a row has more cells than the header's {len(names)} columns")
            batch.append(tuple(row[: len(names)]) + (None,) * (len(names) - len(row)))
            if len(batch) >= XLSX_BATCH_ROWS:
                flush()
        if batch or not created:
            flush()
    finally:
        workbook.close()
